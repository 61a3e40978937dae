import Foundation
import KnockDomain
import KnockStore

/// A small street for the community tests: district `d` → street `s` → communities `c1` (grids
/// `g1`, `g2`) and `c2` (grid `g3`); one household per grid (`h1`, `h2`, `h3`) with residents
/// `r1a`, `r1b` (in `h1`), `r2` and `r3`; members `m1` (grid g1) and `m3` (grid g3).
enum Community {
    static let timeZone = TimeZone(identifier: "Asia/Shanghai")!
    static let units = [
        OrganisationUnit(id: "d", level: .district, name: "青山区", parentID: nil),
        OrganisationUnit(id: "s", level: .street, name: "工人村街", parentID: "d"),
        OrganisationUnit(id: "c1", level: .community, name: "青和居社区", parentID: "s"),
        OrganisationUnit(id: "c2", level: .community, name: "钢花村社区", parentID: "s"),
        OrganisationUnit(id: "g1", level: .grid, name: "第1网格", parentID: "c1"),
        OrganisationUnit(id: "g2", level: .grid, name: "第2网格", parentID: "c1"),
        OrganisationUnit(id: "g3", level: .grid, name: "第3网格", parentID: "c2"),
    ]
    static let members = [
        Member(id: "m1", name: "李娟", roles: [.staff, .partyMember], communityID: "c1", gridIDs: ["g1"], phone: "13800000001"),
        Member(id: "m3", name: "王强", roles: [.volunteer], communityID: "c2", gridIDs: ["g3", "g1"]),
    ]
    static let households = [
        household("h1", grid: "g1", community: "c1"),
        household("h2", grid: "g2", community: "c1"),
        household("h3", grid: "g3", community: "c2"),
    ]
    static let residents = [
        resident("r1a", household: "h1", grid: "g1", community: "c1", tags: [.elderly, .livingAlone]),
        resident("r1b", household: "h1", grid: "g1", community: "c1", tags: [.child]),
        resident("r2", household: "h2", grid: "g2", community: "c1", tags: [.elderly]),
        resident("r3", household: "h3", grid: "g3", community: "c2", tags: []),
    ]

    /// The host: the whole district.
    static let host = Caller(provenance: .host, scope: .district("d"))
    /// Member m1, who sees grid g1 only.
    static let gridMember = Caller(provenance: .member("m1"), scope: .grids(["g1"]))
    /// Staff of community c1.
    static let communityStaff = Caller(provenance: .member("staff-c1"), scope: .community("c1"), via: "daily-knock")

    static func household(_ id: String, grid: String, community: String) -> Household {
        Household(id: id, address: "青和居 \(id)", gridID: grid, communityID: community, streetID: "s",
                  availability: [AvailabilityWindow(weekdays: [6, 7], startMinute: 18 * 60, endMinute: 21 * 60)])
    }

    static func resident(_ id: String, household: String, grid: String, community: String, tags: Set<ResidentTag>) -> Resident {
        Resident(id: id, householdID: household, name: "居民\(id)", birthYear: 1940, tags: tags, phone: "139\(id)",
                 emergencyContact: Contact(name: "女儿", phone: "137", relation: "女儿"), gridID: grid, communityID: community, streetID: "s")
    }

    /// Writes the organisation, the members and the roster.
    static func populate(_ database: KnockDatabase) async throws {
        try await database.putUnits(units)
        try await database.putMembers(members)
        _ = try await database.importRoster(households: households, residents: residents, caller: host)
    }

    /// A new store on `engine`, populated.
    static func withDatabase(_ engine: TestEngine, _ body: (KnockDatabase) async throws -> Void) async throws {
        try await TestStore.withDatabase(engine) { database in
            try await populate(database)
            try await body(database)
        }
    }

    /// A visit by m1 to `resident` (its place given wrong on purpose: the store takes the resident's).
    static func visit(_ id: String, resident: String = "r1a", at: Date, outcome: Outcome = .met, channel: Channel = .door, observations: String = "精神好") -> Visit {
        Visit(id: id, memberID: "m1", residentID: resident, householdID: "wrong", gridID: "wrong", communityID: "wrong", streetID: "wrong",
              at: at, channel: channel, outcome: outcome, observations: observations, opinions: "希望加装电梯", requests: ["送药"])
    }

    /// 2026-03-02 at `hour`:`minute` in Shanghai.
    static func time(day: Int = 2, hour: Int, minute: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: 2026, month: 3, day: day, hour: hour, minute: minute))!
    }
}
