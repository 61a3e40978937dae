import Foundation
public import KnockDomain

/// A small street for tests: 工人村街 with 青和居 (grids g01, g02) and 青宜居 (grid g01), three
/// members, three households and their residents.
public enum SmallStreet {
    /// 2026-11-30 10:00 in Wuhan (a Monday).
    public static let morning = Date(timeIntervalSince1970: 1_796_004_000)
    public static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    public static let units = [
        OrganisationUnit(id: "qingshan", level: .district, name: "青山区", parentID: nil),
        OrganisationUnit(id: "gongrencun", level: .street, name: "工人村街", parentID: "qingshan"),
        OrganisationUnit(id: "qinghe", level: .community, name: "青和居社区", parentID: "gongrencun"),
        OrganisationUnit(id: "qingyi", level: .community, name: "青宜居社区", parentID: "gongrencun"),
        OrganisationUnit(id: "qinghe-g01", level: .grid, name: "青和居第1网格", parentID: "qinghe"),
        OrganisationUnit(id: "qinghe-g02", level: .grid, name: "青和居第2网格", parentID: "qinghe"),
        OrganisationUnit(id: "qingyi-g01", level: .grid, name: "青宜居第1网格", parentID: "qingyi"),
    ]

    /// m-1 volunteer of qinghe-g01; m-2 staff of 青和居 (g02, then g01); m-3 party member of qingyi-g01.
    public static let members = [
        Member(id: "m-1", name: "王芳", roles: [.volunteer], communityID: "qinghe", gridIDs: ["qinghe-g01"]),
        Member(id: "m-2", name: "李强", roles: [.staff], communityID: "qinghe", gridIDs: ["qinghe-g02", "qinghe-g01"]),
        Member(id: "m-3", name: "赵敏", roles: [.partyMember], communityID: "qingyi", gridIDs: ["qingyi-g01"]),
    ]

    public static let households: [Household] = [
        ("h-1", "青和居 1栋1单元101", "qinghe-g01"), ("h-2", "青和居 5栋2单元302", "qinghe-g02"), ("h-3", "青宜居 2栋1单元201", "qingyi-g01"),
    ].map { id, address, grid in
        Household(id: id, address: address, gridID: grid, communityID: grid.hasPrefix("qinghe") ? "qinghe" : "qingyi", streetID: "gongrencun")
    }

    /// r-1 张秀英 (living alone, 88), r-2 刘建国 (empty nest), r-3 陈小明 (a child, 青宜居).
    public static let residents: [Resident] = [
        ("r-1", "h-1", "张秀英", 1938, Set<ResidentTag>([.elderly, .livingAlone, .advancedAge])),
        ("r-2", "h-2", "刘建国", 1950, [.elderly, .emptyNest]),
        ("r-3", "h-3", "陈小明", 2016, [.child]),
    ].map { id, household, name, year, tags in
        let home = households.first { $0.id == household }!
        return Resident(id: id, householdID: household, name: name, birthYear: year, tags: tags, phone: "13800000000",
                        gridID: home.gridID, communityID: home.communityID, streetID: home.streetID)
    }

    /// The deployment's administrator.
    public static let administrator = Caller(provenance: .administrator("admin"), scope: .district("*"))
}
