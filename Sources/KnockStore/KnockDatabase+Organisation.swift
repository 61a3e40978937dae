import Foundation
import KnockDomain
import SQLKit

/// The organisation (district → street → community → grid) and its members with their grid
/// assignments (定人定岗定责). Written by the host's administrator at set-up and when rosters
/// change; read by everyone within their scope.
extension KnockDatabase {
    /// Adds units or renames existing ones, in one write.
    ///
    /// Units may come in any order: a unit's parent may be in the same call. A unit keeps its
    /// place once written: every row below it carries its street, community and grid.
    /// - Parameter units: The units (ids unique in the call).
    /// - Throws: ``DomainError`` `invalidArgument` for an empty id or name, an id given twice, a
    ///   district with a parent, a parent that is not one level up, or an existing unit given a
    ///   new level or parent (moving a unit is not supported); `notFound` for an unknown parent.
    ///   ``StoreError`` if the database fails. On any error nothing was written.
    public func putUnits(_ units: [OrganisationUnit]) async throws {
        guard !units.isEmpty else { return }
        try await communityWrite("putting \(units.count) organisation units") { database in
            try await Self.write(units: units, on: database)
        }
    }

    /// The units inside `scope`: a community scope holds the community and its grids, a grid
    /// scope its grids only, a district everything. Ordered by level, then id.
    /// - Parameters:
    ///   - scope: Whose units.
    ///   - level: Only units of this level.
    /// - Returns: The units.
    /// - Throws: ``StoreError`` if the database fails.
    public func units(in scope: Scope, level: OrganisationLevel? = nil) async throws -> [OrganisationUnit] {
        try await communityRead("reading the units of \(scope)") { database in
            let select = database.select().columns("id", "level", "name", "parent_id").from(CommunityTables.units)
            select.within(scope)
            if let level {
                select.where("level", .equal, level.rawValue)
            }
            return try await select.orderBy("id").all().map(Self.unit(from:)).sorted { ($0.level, $0.id) < ($1.level, $1.id) }
        }
    }

    /// Adds or replaces members with their grid assignments, in one write.
    /// - Parameter members: The members (ids unique in the call). Each member's grids replace
    ///   those stored; the first is the member's own.
    /// - Throws: ``DomainError`` `invalidArgument` for an empty id or name or an id given twice;
    ///   `notFound` for a community or grid that is not known. ``StoreError`` if the database
    ///   fails. On any error nothing was written.
    public func putMembers(_ members: [Member]) async throws {
        guard !members.isEmpty else { return }
        try await communityWrite("putting \(members.count) members") { database in
            try await Self.write(members: members, on: database)
        }
    }

    /// Writes an organisation roster in one transaction: its units, then its members (who may
    /// name the units it brings). All or nothing.
    /// - Throws: As ``putUnits(_:)`` and ``putMembers(_:)``; then nothing was written.
    public func importOrganisation(units: [OrganisationUnit], members: [Member]) async throws {
        guard !units.isEmpty || !members.isEmpty else { return }
        try await communityWrite("importing \(units.count) units and \(members.count) members") { database in
            if !units.isEmpty { try await Self.write(units: units, on: database) }
            if !members.isEmpty { try await Self.write(members: members, on: database) }
        }
    }

    /// The members inside `scope`: of its street or community, or assigned to one of its grids.
    /// Ordered by id.
    /// - Parameters:
    ///   - scope: Whose members.
    ///   - id: Only the member with this id (if inside `scope`).
    /// - Returns: The members with their grids.
    /// - Throws: ``StoreError`` if the database fails.
    public func members(in scope: Scope, id: String? = nil) async throws -> [Member] {
        try await communityRead("reading the members of \(scope)") { database in
            try await Self.members(on: database) { select, table in
                if let id { select.where(SQLColumn("id", table: table), .equal, SQLBind(id)) }
                switch scope.level {
                case .district:
                    break
                case .street, .community:
                    select.within(scope, table: table)
                case .grid:
                    let assigned = database.select().column("member_id").from(CommunityTables.memberGrids)
                        .where(SQLExpressions.isIn(SQLColumn("grid_id"), scope.unitIDs.sorted()))
                    select.where(SQLColumn("id", table: table), .in, SQLGroupExpression(assigned.select))
                }
            }
        }
    }

    /// The member `id`, whatever its scope (the host maps a certificate's member id to it).
    /// - Parameter id: The member's id.
    /// - Returns: The member, or `nil` if there is none.
    /// - Throws: ``StoreError`` if the database fails.
    public func member(id: String) async throws -> Member? {
        try await communityRead("reading member \(id)") { database in
            try await Self.members(on: database) { select, table in
                select.where(SQLColumn("id", table: table), .equal, SQLBind(id))
            }.first
        }
    }

    /// Writes units in the caller's transaction (see ``putUnits(_:)``).
    private static func write(units: [OrganisationUnit], on database: any SQLDatabase) async throws {
        try await database.holdLocks(["units"])
        var known: [String: OrganisationUnit] = [:]
        for row in try await database.select().columns("id", "level", "name", "parent_id").from(CommunityTables.units).all() {
            let unit = try Self.unit(from: row)
            known[unit.id] = unit
        }
        var given: Set<String> = []
        for unit in units {
            try Validation.id(unit.id, what: "unit id")
            try Validation.text(unit.name, what: "name of unit \(unit.id)", allowsEmpty: false)
            guard given.insert(unit.id).inserted else {
                throw DomainError(.invalidArgument, "unit \(unit.id) is given twice")
            }
            if let existing = known[unit.id], existing.level != unit.level || existing.parentID != unit.parentID {
                throw DomainError(.invalidArgument, "unit \(unit.id) is a \(existing.level.rawValue) under \(existing.parentID ?? "nothing"); it cannot be moved")
            }
            known[unit.id] = unit
        }
        let rows = try units.map { unit -> [any SQLExpression] in
            let place = try Self.place(of: unit, among: known)
            return [
                SQLBind(unit.id), SQLBind(unit.level.rawValue), SQLBind(unit.name), SQLExpressions.nullable(unit.parentID),
                SQLExpressions.nullable(place.street), SQLExpressions.nullable(place.community), SQLExpressions.nullable(place.grid),
            ]
        }
        for chunk in CommunityTables.chunks(of: rows) {
            try await database.insert(into: CommunityTables.units)
                .columns("id", "level", "name", "parent_id", "street_id", "community_id", "grid_id")
                .rows(chunk)
                .onConflict(with: ["id"]) { $0.set(excludedValueOf: "name") }
                .run()
        }
    }

    /// Writes members in the caller's transaction (see ``putMembers(_:)``).
    private static func write(members: [Member], on database: any SQLDatabase) async throws {
        let unitIDs = Set(members.flatMap { [$0.communityID] + $0.gridIDs })
        var levels: [String: (level: OrganisationLevel, parentID: String?)] = [:]
        for chunk in CommunityTables.chunks(of: unitIDs.sorted()) {
            let rows = try await database.select().columns("id", "level", "parent_id").from(CommunityTables.units)
                .where(SQLExpressions.isIn(SQLColumn("id"), chunk)).all()
            for row in rows {
                levels[try row.string("id")] = (try row.value("level", as: OrganisationLevel.self), try row.optionalString("parent_id"))
            }
        }
        var given: Set<String> = []
        for member in members {
            try Validation.id(member.id, what: "member id")
            try Validation.text(member.name, what: "name of member \(member.id)", allowsEmpty: false)
            try Validation.text(member.phone, what: "phone of member \(member.id)")
            guard given.insert(member.id).inserted else {
                throw DomainError(.invalidArgument, "member \(member.id) is given twice")
            }
            guard levels[member.communityID]?.level == .community else {
                throw DomainError(.notFound, "member \(member.id): community \(member.communityID) not found")
            }
            for grid in member.gridIDs where levels[grid]?.level != .grid {
                throw DomainError(.notFound, "member \(member.id): grid \(grid) not found")
            }
            guard Set(member.gridIDs).count == member.gridIDs.count else {
                throw DomainError(.invalidArgument, "member \(member.id) is assigned to a grid twice")
            }
        }
        for member in members {
            let street = levels[member.communityID]?.parentID ?? ""
            try await database.insert(into: CommunityTables.members)
                .columns("id", "name", "roles", "street_id", "community_id", "phone")
                .values(
                    SQLBind(member.id), SQLBind(member.name), SQLBind(StoredJSON.set(member.roles)), SQLBind(street),
                    SQLBind(member.communityID), SQLBind(member.phone)
                )
                .onConflict(with: ["id"]) { update in
                    update.set(excludedValueOf: "name").set(excludedValueOf: "roles").set(excludedValueOf: "street_id")
                        .set(excludedValueOf: "community_id").set(excludedValueOf: "phone")
                }
                .run()
            try await database.delete(from: CommunityTables.memberGrids).where("member_id", .equal, member.id).run()
            guard !member.gridIDs.isEmpty else { continue }
            try await database.insert(into: CommunityTables.memberGrids)
                .columns("member_id", "grid_id", "position")
                .rows(member.gridIDs.enumerated().map { [SQLBind(member.id), SQLBind($1), SQLBind(Int64($0))] as [any SQLExpression] })
                .run()
        }
    }

    // MARK: Rows

    /// The members a condition selects (`narrow` adds it to a select of the members table,
    /// aliased as the table name it is given), each with its grids in order.
    private static func members(
        on database: any SQLDatabase, _ narrow: (SQLSelectBuilder, String) -> Void
    ) async throws -> [Member] {
        let members = database.select().columns(["id", "name", "roles", "community_id", "phone"].map { SQLColumn($0, table: "m") })
            .from(SQLAlias(SQLIdentifier(CommunityTables.members), as: SQLIdentifier("m")))
        narrow(members, "m")
        let grids = database.select()
            .columns(SQLColumn("member_id", table: "g"), SQLColumn("grid_id", table: "g"))
            .from(SQLAlias(SQLIdentifier(CommunityTables.memberGrids), as: SQLIdentifier("g")))
            .join(
                SQLAlias(SQLIdentifier(CommunityTables.members), as: SQLIdentifier("m")), method: SQLJoinMethod.inner,
                on: SQLBinaryExpression(SQLColumn("id", table: "m"), .equal, SQLColumn("member_id", table: "g"))
            )
        narrow(grids, "m")
        var gridsByMember: [String: [String]] = [:]
        for row in try await grids.orderBy(SQLColumn("member_id", table: "g")).orderBy(SQLColumn("position", table: "g")).all() {
            gridsByMember[try row.string("member_id"), default: []].append(try row.string("grid_id"))
        }
        return try await members.orderBy(SQLColumn("id", table: "m")).all().map { row in
            let id = try row.string("id")
            return Member(
                id: id, name: try row.string("name"), roles: try row.set("roles", of: MemberRole.self),
                communityID: try row.string("community_id"), gridIDs: gridsByMember[id] ?? [], phone: try row.string("phone")
            )
        }
    }

    private static func unit(from row: any SQLRow) throws -> OrganisationUnit {
        OrganisationUnit(
            id: try row.string("id"), level: try row.value("level", as: OrganisationLevel.self), name: try row.string("name"),
            parentID: try row.optionalString("parent_id")
        )
    }

    /// The street, community and grid a unit lies in (as far as its level goes), from its parents.
    /// - Throws: ``DomainError`` for a parent that is missing or not one level up.
    private static func place(of unit: OrganisationUnit, among units: [String: OrganisationUnit]) throws -> (street: String?, community: String?, grid: String?) {
        var place: (street: String?, community: String?, grid: String?) = (nil, nil, nil)
        var current = unit
        while true {
            switch current.level {
            case .grid: place.grid = current.id
            case .community: place.community = current.id
            case .street: place.street = current.id
            case .district: break
            }
            guard let expected = current.level.parent else {
                guard current.parentID == nil else {
                    throw DomainError(.invalidArgument, "district \(current.id) cannot have a parent")
                }
                return place
            }
            guard let parentID = current.parentID else {
                throw DomainError(.invalidArgument, "\(current.level.rawValue) \(current.id) needs a parent \(expected.rawValue)")
            }
            guard let parent = units[parentID] else {
                throw DomainError(.notFound, "\(current.level.rawValue) \(current.id): parent \(parentID) not found")
            }
            guard parent.level == expected else {
                throw DomainError(.invalidArgument, "\(current.level.rawValue) \(current.id) must be under a \(expected.rawValue), not the \(parent.level.rawValue) \(parentID)")
            }
            current = parent
        }
    }
}
