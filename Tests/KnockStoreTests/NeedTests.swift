import Foundation
import KnockDomain
import Testing
import KnockStore

@Suite("Community: needs")
struct NeedTests {
    static let lifecycle = NeedLifecycle()

    static func raise(_ database: KnockDatabase, id: String, resident: String = "r1a", urgency: Urgency = .normal, at: Date = Community.time(hour: 9)) async throws -> Need {
        let stored = try await database.resident(id: resident, caller: Community.host)
        let need = try lifecycle.raise(
            id: id, resident: stored, category: "medicine", urgency: urgency, summary: "每周送药", owner: nil, by: .member("m1"),
            visitID: "v-1", at: at
        )
        return try await database.raiseNeed(need)
    }

    @Test("every step of the lifecycle through the store, with its history; impossible steps change nothing", arguments: TestEngine.all)
    func lifecycle(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let raised = try await Self.raise(database, id: "n-1")
            #expect(try await database.need(id: "n-1", caller: Community.host) == raised)
            let caller = Community.gridMember
            func step(_ step: NeedLifecycle.Step, note: String = "", hour: Int) async throws -> Need {
                try await database.transitionNeed(id: "n-1", step: step, note: note, caller: caller, at: Community.time(hour: hour), lifecycle: Self.lifecycle)
            }
            func refused(_ step: NeedLifecycle.Step, note: String = "x", code: DomainError.Code) async {
                let before = try? await database.need(id: "n-1", caller: Community.host)
                let error = await #expect(throws: DomainError.self) {
                    try await database.transitionNeed(id: "n-1", step: step, note: note, caller: caller, at: Community.time(hour: 23), lifecycle: Self.lifecycle)
                }
                #expect(error?.code == code, "\(step)")
                let after = try? await database.need(id: "n-1", caller: Community.host)
                #expect(after == before, "\(step) changed the need")
            }

            await refused(.start, code: .invalidTransition)
            await refused(.resolve, code: .invalidTransition)
            await refused(.followUp(satisfaction: 5), code: .invalidTransition)
            await refused(.decline, note: " ", code: .invalidArgument)
            let assigned = try await step(.assign(.member("m1")), hour: 10)
            #expect(assigned.status == .assigned)
            #expect(assigned.owner == .member("m1"))
            let reassigned = try await step(.assign(.module("canteen")), hour: 11)
            #expect(reassigned.owner == .module("canteen"))
            let started = try await step(.start, hour: 12)
            #expect(started.status == .inProgress)
            await refused(.start, code: .invalidTransition)
            let resolved = try await step(.resolve, hour: 13)
            #expect(resolved.resolvedAt == Community.time(hour: 13))
            await refused(.reopen, note: "", code: .invalidArgument)
            let reopened = try await step(.reopen, note: "药没送到", hour: 14)
            #expect(reopened.status == .open)
            #expect(reopened.owner == nil)
            #expect(reopened.resolvedAt == nil)
            #expect(reopened.dueAt == Self.lifecycle.duePolicy.dueTime(for: .normal, raisedAt: Community.time(hour: 14)))
            _ = try await step(.assign(.member("m1")), hour: 15)
            _ = try await step(.resolve, hour: 16)
            await refused(.followUp(satisfaction: 6), code: .invalidArgument)
            let followedUp = try await step(.followUp(satisfaction: 4), hour: 17)
            #expect(followedUp.status == .followedUp)
            #expect(followedUp.satisfaction == 4)
            await refused(.decline, code: .invalidTransition)
            await refused(.assign(.member("m1")), code: .invalidTransition)

            let stored = try await database.need(id: "n-1", caller: Community.host)
            #expect(stored == followedUp)
            #expect(stored.history.map(\.to) == [.open, .assigned, .assigned, .inProgress, .resolved, .open, .assigned, .resolved, .followedUp])
            #expect(stored.history.map(\.from) == [nil, .open, .assigned, .assigned, .inProgress, .resolved, .open, .assigned, .resolved])
            #expect(stored.history[5].note == "药没送到")
            #expect(stored.history.dropFirst().allSatisfy { $0.by == .member("m1") })

            let declined = try await Self.raise(database, id: "n-2")
            let done = try await database.transitionNeed(id: declined.id, step: .decline, note: "已由家属处理", caller: caller, at: Community.time(hour: 10), lifecycle: Self.lifecycle)
            #expect(done.status == .declined)
        }
    }

    @Test("a need outside the caller's scope is notFound, alike an unknown one, for reads and steps", arguments: TestEngine.all)
    func scope(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            _ = try await Self.raise(database, id: "n-3", resident: "r3")
            for id in ["n-3", "n-none"] {
                let read = await #expect(throws: DomainError.self) { try await database.need(id: id, caller: Community.gridMember) }
                #expect(read?.code == .notFound)
                #expect(read?.message == "need \(id) not found")
                let step = await #expect(throws: DomainError.self) {
                    try await database.transitionNeed(id: id, step: .start, caller: Community.gridMember, at: Date(), lifecycle: Self.lifecycle)
                }
                #expect(step?.code == .notFound)
                #expect(step?.message == "need \(id) not found")
            }
            #expect(try await database.need(id: "n-3", caller: Community.host).status == .open)
            let again = await #expect(throws: DomainError.self) { try await Self.raise(database, id: "n-3") }
            #expect(again?.code == .alreadyExists)
        }
    }

    @Test("overdue: active needs past their due time, found by the database; lists filter and page", arguments: TestEngine.all)
    func overdueAndFilters(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            // critical: due in 2 h; high: in a day; normal: in 3 days.
            _ = try await Self.raise(database, id: "n-a", urgency: .critical, at: Community.time(hour: 8))
            _ = try await Self.raise(database, id: "n-b", resident: "r2", urgency: .high, at: Community.time(hour: 8))
            _ = try await Self.raise(database, id: "n-c", resident: "r1b", urgency: .critical, at: Community.time(hour: 8))
            _ = try await Self.raise(database, id: "n-d", resident: "r3", urgency: .normal, at: Community.time(hour: 8))
            // Resolved late is no longer overdue.
            _ = try await database.transitionNeed(id: "n-c", step: .assign(.department("民政局")), caller: Community.host, at: Community.time(hour: 9), lifecycle: Self.lifecycle)
            _ = try await database.transitionNeed(id: "n-c", step: .resolve, caller: Community.host, at: Community.time(hour: 11), lifecycle: Self.lifecycle)

            let noon = Community.time(hour: 12)
            #expect(try await database.needs(caller: Community.host, filter: .overdue(at: noon)).items.map(\.id) == ["n-a"])
            let nextDay = Community.time(day: 3, hour: 9)
            #expect(try await database.needs(caller: Community.host, filter: .overdue(at: nextDay)).items.map(\.id) == ["n-a", "n-b"])
            #expect(try await database.needs(caller: Community.gridMember, filter: .overdue(at: nextDay)).items.map(\.id) == ["n-a"])
            #expect(try await database.needs(caller: Community.host, filter: .overdue(at: Community.time(day: 9, hour: 0))).items.map(\.id) == ["n-a", "n-b", "n-d"])

            #expect(try await database.needs(caller: Community.host, filter: .active).items.map(\.id) == ["n-a", "n-b", "n-d"])
            #expect(try await database.needs(caller: Community.host, filter: NeedFilter(statuses: [.resolved])).items.map(\.id) == ["n-c"])
            #expect(try await database.needs(caller: Community.host, filter: NeedFilter(owner: .department("民政局"))).items.map(\.id) == ["n-c"])
            #expect(try await database.needs(caller: Community.host, filter: NeedFilter(residentID: "r2")).items.map(\.id) == ["n-b"])
            #expect(try await database.needs(caller: Community.host, filter: NeedFilter(category: "meals")).items.isEmpty)
            #expect(try await database.needs(caller: Community.communityStaff).items.map(\.id) == ["n-a", "n-b", "n-c"])

            let first = try await database.needs(caller: Community.host, limit: 3)
            #expect(first.items.map(\.id) == ["n-a", "n-b", "n-c"])
            #expect(first.nextAfter == "n-c")
            #expect(first.items[2].history.count == 3)
            let second = try await database.needs(caller: Community.host, limit: 3, after: first.nextAfter)
            #expect(second.items.map(\.id) == ["n-d"])
            #expect(second.nextAfter == nil)
        }
    }
}
