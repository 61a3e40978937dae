import Foundation
import KnockDomain
import Testing
import KnockStore

@Suite("Community: coverage")
struct CoverageTests {
    @Test("coverage of a small street over two days, figure by figure", arguments: TestEngine.all)
    func figures(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let host = Community.host
            let lifecycle = NeedLifecycle()
            try await database.putUnits([OrganisationUnit(id: "g4", level: .grid, name: "第4网格", parentID: "c2")])
            _ = try await database.importRoster(
                households: [Community.household("h4", grid: "g1", community: "c1")],
                residents: [Community.resident("r4", household: "h4", grid: "g1", community: "c1", tags: [])],
                caller: host
            )
            let visits: [(String, String, Date, Channel, Outcome)] = [
                ("v1", "r1a", Community.time(day: 2, hour: 9), .door, .met),
                ("v2", "r1b", Community.time(day: 2, hour: 10), .phone, .met),
                ("v3", "r4", Community.time(day: 3, hour: 9), .door, .noAnswer),
                ("v4", "r2", Community.time(day: 1, hour: 23, minute: 59), .door, .met), // before the span
                ("v5", "r2", Community.time(day: 4, hour: 0, minute: 0), .online, .met), // after it
                ("v6", "r3", Community.time(day: 3, hour: 23, minute: 59), .online, .met),
            ]
            for (id, resident, at, channel, outcome) in visits {
                try await database.recordVisit(Community.visit(id, resident: resident, at: at, outcome: outcome, channel: channel), caller: host)
            }
            func knock(_ day: String, _ resident: String, grid: String) throws -> PlannedKnock {
                PlannedKnock(day: try CalendarDay(parsing: day), residentID: resident, householdID: "", gridID: grid, communityID: "", channel: .door,
                             priority: 50, reasons: [PlannedKnock.Reason(why: "每天敲", suggestedBy: .module("daily-knock"))])
            }
            try await database.savePlan(day: try CalendarDay(parsing: "2026-03-02"), scope: .grids(["g1"]), knocks: [try knock("2026-03-02", "r1a", grid: "g1"), try knock("2026-03-02", "r4", grid: "g1")])
            try await database.savePlan(day: try CalendarDay(parsing: "2026-03-03"), scope: .grids(["g1"]), knocks: [try knock("2026-03-03", "r1b", grid: "g1")])
            try await database.savePlan(day: try CalendarDay(parsing: "2026-03-04"), scope: .grids(["g2"]), knocks: [try knock("2026-03-04", "r2", grid: "g2")])

            func raise(_ id: String, _ resident: String, _ urgency: Urgency, _ at: Date) async throws {
                let stored = try await database.resident(id: resident, caller: host)
                try await database.raiseNeed(try lifecycle.raise(id: id, resident: stored, category: "c", urgency: urgency, summary: "s", owner: nil, by: .host, visitID: nil, at: at))
            }
            func step(_ id: String, _ step: NeedLifecycle.Step, _ at: Date) async throws {
                _ = try await database.transitionNeed(id: id, step: step, caller: host, at: at, lifecycle: lifecycle)
            }
            try await raise("n1", "r1a", .normal, Community.time(day: 2, hour: 8))
            try await step("n1", .assign(.member("m1")), Community.time(day: 2, hour: 9))
            try await step("n1", .resolve, Community.time(day: 2, hour: 14))
            try await step("n1", .followUp(satisfaction: 4), Community.time(day: 3, hour: 10))
            try await raise("n2", "r1b", .critical, Community.time(day: 2, hour: 9))
            try await raise("n3", "r4", .high, Community.time(day: 1, hour: 9))
            try await step("n3", .assign(.member("m1")), Community.time(day: 1, hour: 10))
            try await step("n3", .resolve, Community.time(day: 2, hour: 21))
            try await step("n3", .followUp(satisfaction: 2), Community.time(day: 3, hour: 11))
            try await raise("n4", "r2", .low, Community.time(day: 3, hour: 8))
            try await raise("n5", "r3", .critical, Community.time(day: 3, hour: 11))
            try await raise("n6", "r3", .high, Community.time(day: 1, hour: 0).addingTimeInterval(-9 * 86_400))

            let coverage = try await database.coverage(
                in: .street("s"), from: try CalendarDay(parsing: "2026-03-02"), to: try CalendarDay(parsing: "2026-03-03"),
                timeZone: Community.timeZone, now: Community.time(day: 3, hour: 12)
            )
            #expect(coverage == [
                GridCoverage(gridID: "g1", households: 2, householdsVisited: 2, plannedKnocks: 3, doneKnocks: [.door: 2, .phone: 1],
                             needsOpened: 2, needsResolved: 2, needsOverdue: 1, meanHoursToResolve: 21, meanSatisfaction: 3),
                GridCoverage(gridID: "g2", households: 1, householdsVisited: 0, plannedKnocks: 0, doneKnocks: [:],
                             needsOpened: 1, needsResolved: 0, needsOverdue: 0, meanHoursToResolve: nil, meanSatisfaction: nil),
                GridCoverage(gridID: "g3", households: 1, householdsVisited: 1, plannedKnocks: 0, doneKnocks: [.online: 1],
                             needsOpened: 1, needsResolved: 0, needsOverdue: 1, meanHoursToResolve: nil, meanSatisfaction: nil),
                GridCoverage(gridID: "g4", households: 0, householdsVisited: 0, plannedKnocks: 0, doneKnocks: [:],
                             needsOpened: 0, needsResolved: 0, needsOverdue: 0, meanHoursToResolve: nil, meanSatisfaction: nil),
            ])
            let community = try await database.coverage(
                in: .community("c1"), from: try CalendarDay(parsing: "2026-03-02"), to: try CalendarDay(parsing: "2026-03-03"),
                timeZone: Community.timeZone, now: Community.time(day: 3, hour: 12)
            )
            #expect(community.map(\.gridID) == ["g1", "g2"])
            #expect(community.first == coverage.first)
        }
    }

    @Test("saving a day's plan replaces that day's plan within the scope only", arguments: TestEngine.all)
    func savedPlans(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let day = try CalendarDay(parsing: "2026-03-02")
            func knock(_ resident: String) -> PlannedKnock {
                PlannedKnock(day: day, residentID: resident, householdID: "", gridID: "", communityID: "", memberID: "m1", channel: .door,
                             priority: 10, reasons: [PlannedKnock.Reason(why: "每天敲", suggestedBy: .module("daily-knock"))])
            }
            try await database.savePlan(day: day, scope: .community("c1"), knocks: [knock("r2"), knock("r1a")])
            try await database.savePlan(day: day, scope: .grids(["g3"]), knocks: [knock("r3")])
            try await database.savePlan(day: day, scope: .grids(["g1"]), knocks: [knock("r1b")])
            #expect(try await database.savedPlan(day: day, scope: .district("d")).map(\.residentID).sorted() == ["r1b", "r2", "r3"])
            #expect(try await database.savedPlan(day: day, scope: .community("c1")).map(\.residentID) == ["r1b", "r2"])
            let outside = await #expect(throws: DomainError.self) {
                try await database.savePlan(day: day, scope: .grids(["g1"]), knocks: [knock("r1a"), knock("r3")])
            }
            #expect(outside?.code == .outOfScope)
            #expect(try await database.savedPlan(day: day, scope: .grids(["g1"])).map(\.residentID) == ["r1b"])
        }
    }

    @Test("a large plan is saved whole, each knock with its own reasons, in order", arguments: TestEngine.all)
    func largePlan(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let day = try CalendarDay(parsing: "2026-03-02")
            let knocks = (0..<1_500).map { index in
                PlannedKnock(day: day, residentID: "x-\(index)", householdID: "h1", gridID: "g1", communityID: "c1", memberID: "m1", channel: .door,
                             priority: index % 100, reasons: [
                                PlannedKnock.Reason(why: "每天敲 \(index) \"引号\" \\", suggestedBy: .module("daily-knock")),
                                PlannedKnock.Reason(why: "重点人员", suggestedBy: index % 2 == 0 ? .host : .member("m\(index)")),
                             ])
            }
            try await database.savePlan(day: day, scope: .community("c1"), knocks: knocks)
            let saved = try await database.savedPlan(day: day, scope: .community("c1"))
            #expect(saved.count == knocks.count)
            let byResident = Dictionary(uniqueKeysWithValues: saved.map { ($0.residentID, $0) })
            #expect(knocks.allSatisfy { byResident[$0.residentID]?.reasons == $0.reasons && byResident[$0.residentID]?.priority == $0.priority })
        }
    }
}
