import Foundation

/// A street's organisation and its members as a street office keeps them in two spreadsheets,
/// imported into the host: the units (streets, communities, grids) and the members of the grid
/// groups with their roles and grids.
///
/// Both files are UTF-8 CSV (``CSVReader``) with a header row naming their columns, in any order
/// (other columns are ignored). Units:
///
/// | column | content |
/// |---|---|
/// | `level` | `district` 区, `street` 街道, `community` 社区 or `grid` 网格 |
/// | `id` | the unit's id, unique in the file |
/// | `name` | required |
/// | `parent_id` | the unit it belongs to, one level up (a street's district, …), in the file or already known; empty for a district |
///
/// Members:
///
/// | column | content |
/// |---|---|
/// | `member_id` | the member's id (also the id in their certificate), unique in the file |
/// | `name` | required |
/// | `roles` | one or more of `staff` 社区工作人员, `party-member` 党员, `resident-backbone` 居民骨干, `volunteer` 志愿者, `sunk-down-cadre` 下沉干部, `department-officer` 部门工作人员, separated by `;`, `；`, `、` or `,` |
/// | `community_id` | a community, in the units file or already known |
/// | `grid_ids` | grids of that community, separated likewise; the first is the member's own; may be empty |
/// | `phone` | free text |
///
/// All or nothing: every row of both files is checked, and any problem refuses both with a
/// ``RosterError`` listing each bad row (`units line 4`, `members line 9`). A known unit keeps its
/// level and parent (it cannot be moved); its name may change.
public struct OrganisationRoster: Sendable, Hashable {
    /// In file order.
    public var units: [OrganisationUnit]
    /// In file order.
    public var members: [Member]

    /// The units file's columns.
    public static let unitColumns = ["level", "id", "name", "parent_id"]
    /// The members file's columns.
    public static let memberColumns = ["member_id", "name", "roles", "community_id", "grid_ids", "phone"]

    /// Reads the two files; either may be empty (`Data()`) to import only the other.
    /// - Parameters:
    ///   - units: The units file.
    ///   - members: The members file.
    ///   - known: The units already stored, by id.
    /// - Throws: ``RosterError`` as ``RosterTable`` does for a file's header, or `invalidRows` with
    ///   every bad row of both files.
    public init(units unitsCSV: Data, members membersCSV: Data, known: [String: OrganisationUnit]) throws(RosterError) {
        var problems: [RosterError.Problem] = []
        var units: [OrganisationUnit] = []
        var all = known
        var unitLines: [String: Int] = [:]
        var rows = 0
        if !unitsCSV.isEmpty {
            let table = try RosterTable.read(unitsCSV, what: "the units file", columns: Self.unitColumns)
            rows += RosterTable.forEachRow(table, file: "units", problems: &problems) { line, cell, problem in
                let levelText = cell("level"), id = cell("id"), name = cell("name"), parent = cell("parent_id")
                let level = Self.levels[levelText.lowercased()]
                if level == nil { problem("level", levelText.isEmpty ? "no level" : "unknown level \"\(levelText)\"") }
                if id.isEmpty || id.contains(where: \.isWhitespace) {
                    problem("id", id.isEmpty ? "no id" : "the id \"\(id)\" has a space in it")
                } else if let first = unitLines[id] {
                    problem("id", "unit \(id) is already on line \(first)")
                }
                if name.isEmpty { problem("name", "no name") }
                guard let level, !id.isEmpty, unitLines[id] == nil else { return }
                unitLines[id] = line
                if let existing = known[id], existing.level != level || (existing.parentID ?? "") != parent {
                    problem("parent_id", "\(id) is a \(existing.level.rawValue) under \(existing.parentID ?? "nothing"); it cannot be moved")
                }
                let unit = OrganisationUnit(id: id, level: level, name: name, parentID: parent.isEmpty ? nil : parent)
                units.append(unit)
                all[id] = unit
            }
            // Parents may come later in the file than their children.
            for unit in units {
                let line = unitLines[unit.id] ?? 0
                guard let wanted = unit.level.parent else {
                    if unit.parentID != nil { problems.append(.init(line: line, column: "units parent_id", reason: "a district belongs to nothing")) }
                    continue
                }
                guard let parentID = unit.parentID else {
                    problems.append(.init(line: line, column: "units parent_id", reason: "a \(unit.level.rawValue) needs the \(wanted.rawValue) it belongs to"))
                    continue
                }
                guard let parent = all[parentID], parent.level == wanted else {
                    let found = all[parentID].map { "\(parentID) is a \($0.level.rawValue)" } ?? "\(parentID) is not a known unit"
                    problems.append(.init(line: line, column: "units parent_id", reason: "a \(unit.level.rawValue) belongs to a \(wanted.rawValue); \(found)"))
                    continue
                }
            }
        }
        var members: [Member] = []
        var memberLines: [String: Int] = [:]
        if !membersCSV.isEmpty {
            let table = try RosterTable.read(membersCSV, what: "the members file", columns: Self.memberColumns)
            rows += RosterTable.forEachRow(table, file: "members", problems: &problems) { line, cell, problem in
                let id = cell("member_id"), name = cell("name"), community = cell("community_id")
                if id.isEmpty || id.contains(where: \.isWhitespace) {
                    problem("member_id", id.isEmpty ? "no member id" : "the id \"\(id)\" has a space in it")
                } else if let first = memberLines[id] {
                    problem("member_id", "member \(id) is already on line \(first)")
                } else {
                    memberLines[id] = line
                }
                if name.isEmpty { problem("name", "no name") }
                var roles: Set<MemberRole> = []
                for word in RosterTable.words(cell("roles")) {
                    if let role = Self.roles[word.lowercased()] { roles.insert(role) } else { problem("roles", "unknown role \"\(word)\"") }
                }
                if cell("roles").isEmpty { problem("roles", "no role") }
                if all[community]?.level != .community {
                    problem("community_id", community.isEmpty ? "no community" : "\(community) is not a known community")
                }
                let grids = RosterTable.words(cell("grid_ids"))
                for grid in grids where all[grid]?.level != .grid || all[grid]?.parentID != community {
                    problem("grid_ids", all[grid]?.level == .grid ? "grid \(grid) is not in community \(community)" : "\(grid) is not a known grid")
                }
                if Set(grids).count != grids.count { problem("grid_ids", "a grid is named twice") }
                members.append(Member(id: id, name: name, roles: roles, communityID: community, gridIDs: grids, phone: cell("phone")))
            }
        }
        guard problems.isEmpty else {
            // A line of the units file and a line of the members file are two rows.
            let lines = Set(problems.map { "\($0.column?.split(separator: " ").first ?? ""):\($0.line)" }).count
            throw RosterError(.invalidRows, "\(problems.count) problems on \(lines) of \(rows) rows", problems: problems)
        }
        self.units = units
        self.members = members
    }

    private static let levels: [String: OrganisationLevel] = [
        "district": .district, "区": .district, "street": .street, "街道": .street,
        "community": .community, "社区": .community, "grid": .grid, "网格": .grid,
    ]

    private static let roles: [String: MemberRole] = [
        "staff": .staff, "社区工作人员": .staff, "party-member": .partyMember, "党员": .partyMember,
        "resident-backbone": .residentBackbone, "居民骨干": .residentBackbone, "volunteer": .volunteer, "志愿者": .volunteer,
        "sunk-down-cadre": .sunkDownCadre, "下沉干部": .sunkDownCadre, "department-officer": .departmentOfficer, "部门工作人员": .departmentOfficer,
    ]
}
