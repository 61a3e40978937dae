import Foundation
import KnockDomain
import Testing
import KnockStore

@Suite("Community: key persons")
struct KeyPersonTests {
    @Test("due: never knocked, or last knocked at least the cadence's days before; the cadence is the shortest reason's", arguments: TestEngine.all)
    func due(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let host = Community.host
            let tz = Community.timeZone
            let day = try CalendarDay(parsing: "2026-03-05")
            try await database.flagKeyPerson(residentID: "r1a", reason: "独居高龄", cadenceDays: 3, caller: host, at: Community.time(day: 1, hour: 8))
            try await database.flagKeyPerson(residentID: "r2", reason: "空巢", cadenceDays: 7, caller: host, at: Community.time(day: 1, hour: 8))
            try await database.flagKeyPerson(residentID: "r3", reason: "近期出院", cadenceDays: 1, caller: host, at: Community.time(day: 1, hour: 8))
            #expect(try await database.keyPersons(caller: host, dueOn: day, timeZone: tz).map(\.residentID) == ["r1a", "r2", "r3"])

            // r1a: knocked on the 2nd at 23:30 local (the 2nd's day, not the 3rd's), cadence 3: due on the 5th.
            try await database.recordVisit(Community.visit("v-1", resident: "r1a", at: Community.time(day: 2, hour: 23, minute: 30)), caller: host)
            // r2: knocked on the 1st, cadence 7: due on the 8th.
            try await database.recordVisit(Community.visit("v-2", resident: "r2", at: Community.time(day: 1, hour: 0, minute: 5)), caller: host)
            // r3: knocked on the 5th itself, daily: due again on the 6th.
            try await database.recordVisit(Community.visit("v-3", resident: "r3", at: Community.time(day: 5, hour: 0, minute: 1)), caller: host)
            #expect(try await database.keyPersons(caller: host, dueOn: day, timeZone: tz).map(\.residentID) == ["r1a"])
            #expect(try await database.keyPersons(caller: host, dueOn: day.adding(days: -1), timeZone: tz).isEmpty)
            #expect(try await database.keyPersons(caller: host, dueOn: day.adding(days: 1), timeZone: tz).map(\.residentID) == ["r1a", "r3"])
            #expect(try await database.keyPersons(caller: host, dueOn: day.adding(days: 3), timeZone: tz).map(\.residentID) == ["r1a", "r2", "r3"])

            // A second, daily reason makes r2 due tomorrow; its cadence is now 1.
            let both = try await database.flagKeyPerson(residentID: "r2", reason: "近期出院", cadenceDays: 1, caller: Community.communityStaff, at: Community.time(day: 4, hour: 9))
            #expect(both.cadenceDays == 1)
            #expect(both.reasons.map(\.reason) == ["空巢", "近期出院"])
            #expect(both.reasons.map(\.flaggedBy) == [.host, .member("staff-c1")])
            #expect(both.lastKnockAt == Community.time(day: 1, hour: 0, minute: 5))
            #expect(try await database.keyPersons(caller: host, dueOn: day, timeZone: tz).map(\.residentID) == ["r1a", "r2"])
            #expect(try await database.keyPersons(caller: Community.gridMember, dueOn: day, timeZone: tz).map(\.residentID) == ["r1a"])
            #expect(try await database.keyPersons(caller: Community.gridMember, timeZone: tz).map(\.residentID) == ["r1a"])

            // Removing the daily reason restores the weekly cadence; removing the last takes r2 off the list.
            let weekly = try await database.unflagKeyPerson(residentID: "r2", reason: "近期出院", caller: host)
            #expect(weekly?.cadenceDays == 7)
            #expect(try await database.unflagKeyPerson(residentID: "r2", reason: "空巢", caller: host) == nil)
            let gone = await #expect(throws: DomainError.self) { try await database.keyPerson(residentID: "r2", caller: host) }
            #expect(gone?.code == .notFound)
            #expect(try await database.keyPersons(caller: host, timeZone: tz).map(\.residentID) == ["r1a", "r3"])
        }
    }

    @Test("a reason with an end leaves the list once it has ended; the entry keeps the cadence of the reasons left, or leaves with its last", arguments: TestEngine.all)
    func reasonsEnd(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let host = Community.host
            let tz = Community.timeZone
            let flagged = Community.time(day: 1, hour: 8)
            try await database.flagKeyPerson(residentID: "r1a", reason: "独居高龄", cadenceDays: 7, caller: host, at: flagged)
            try await database.flagKeyPerson(residentID: "r1a", reason: "近期出院", cadenceDays: 1, until: Community.time(day: 4, hour: 8), caller: host, at: flagged)
            try await database.flagKeyPerson(residentID: "r2", reason: "近期出院", cadenceDays: 1, until: Community.time(day: 3, hour: 8), caller: host, at: flagged)
            #expect(try await database.keyPerson(residentID: "r1a", caller: host).cadenceDays == 1)

            // Nothing has ended yet: nothing changes.
            #expect(try await database.endKeyPersonReasons(endedBy: Community.time(day: 3, hour: 7)).isEmpty)
            #expect(try await database.keyPersons(caller: host, timeZone: tz).map(\.residentID) == ["r1a", "r2"])

            // r2's only reason ends: r2 leaves the list.
            #expect(try await database.endKeyPersonReasons(endedBy: Community.time(day: 3, hour: 8)) == ["r2": ["近期出院"]])
            let gone = await #expect(throws: DomainError.self) { try await database.keyPerson(residentID: "r2", caller: host) }
            #expect(gone?.code == .notFound)

            // r1a's daily reason ends: the weekly one stays, with its cadence; r1a is no longer due daily.
            try await database.recordVisit(Community.visit("v-1", resident: "r1a", at: Community.time(day: 4, hour: 9)), caller: host)
            #expect(try await database.endKeyPersonReasons(endedBy: Community.time(day: 5, hour: 0)) == ["r1a": ["近期出院"]])
            let weekly = try await database.keyPerson(residentID: "r1a", caller: host)
            #expect(weekly.reasons.map(\.reason) == ["独居高龄"])
            #expect(weekly.cadenceDays == 7)
            #expect(try await database.keyPersons(caller: host, dueOn: try CalendarDay(parsing: "2026-03-05"), timeZone: tz).isEmpty)
            #expect(try await database.keyPersons(caller: host, dueOn: try CalendarDay(parsing: "2026-03-11"), timeZone: tz).map(\.residentID) == ["r1a"])

            // Again: nothing left to end.
            #expect(try await database.endKeyPersonReasons(endedBy: Community.time(day: 30, hour: 0)).isEmpty)
            #expect(try await database.keyPersons(caller: host, timeZone: tz).map(\.residentID) == ["r1a"])
        }
    }

    @Test("the list in pages: resident order, each page after the last one's resident, due ones only when asked; a bad limit is refused", arguments: TestEngine.all)
    func pages(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let host = Community.host
            let tz = Community.timeZone
            for resident in ["r3", "r1a", "r2", "r1b"] {
                try await database.flagKeyPerson(residentID: resident, reason: "独居", cadenceDays: 7, caller: host, at: Community.time(day: 1, hour: 8))
                try await database.flagKeyPerson(residentID: resident, reason: "高龄", cadenceDays: 3, caller: host, at: Community.time(day: 1, hour: 9))
            }
            var seen: [[String]] = []
            var after: String?
            repeat {
                let page = try await database.keyPersons(caller: host, timeZone: tz, limit: 3, after: after)
                seen.append(page.items.map(\.residentID))
                #expect(page.items.allSatisfy { $0.reasons.map(\.reason) == ["独居", "高龄"] && $0.cadenceDays == 3 })
                after = page.nextAfter
            } while after != nil
            #expect(seen == [["r1a", "r1b", "r2"], ["r3"]])
            #expect(try await database.keyPersons(caller: host, timeZone: tz, limit: 2, after: nil).nextAfter == "r1b")
            #expect(try await database.keyPersons(caller: host, timeZone: tz, limit: 4, after: nil).nextAfter == nil)

            // Due on the 5th: r1b was knocked on the 4th (every 3 days), so the rest.
            try await database.recordVisit(Community.visit("v-1", resident: "r1b", at: Community.time(day: 4, hour: 9)), caller: host)
            let day = try CalendarDay(parsing: "2026-03-05")
            let first = try await database.keyPersons(caller: host, dueOn: day, timeZone: tz, limit: 2, after: nil)
            #expect(first.items.map(\.residentID) == ["r1a", "r2"])
            let second = try await database.keyPersons(caller: host, dueOn: day, timeZone: tz, limit: 2, after: first.nextAfter)
            #expect(second.items.map(\.residentID) == ["r3"])
            #expect(second.nextAfter == nil)

            // The caller's scope and a community narrow the pages as the whole list.
            #expect(try await database.keyPersons(caller: Community.gridMember, timeZone: tz, limit: 10, after: nil).items.map(\.residentID)
                == (try await database.keyPersons(caller: Community.gridMember, timeZone: tz)).map(\.residentID))
            for limit in [0, 1_001] {
                let refused = await #expect(throws: DomainError.self) { try await database.keyPersons(caller: host, timeZone: tz, limit: limit, after: nil) }
                #expect(refused?.code == .invalidArgument)
            }
        }
    }

    @Test("a reason cannot end before it is flagged: refused, nothing changes", arguments: TestEngine.all)
    func endInThePast(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let at = Community.time(day: 2, hour: 8)
            for until in [at, Community.time(day: 1, hour: 8)] {
                let refused = await #expect(throws: DomainError.self) {
                    try await database.flagKeyPerson(residentID: "r1a", reason: "近期出院", cadenceDays: 1, until: until, caller: Community.host, at: at)
                }
                #expect(refused?.code == .invalidArgument)
            }
            #expect(try await database.keyPersons(caller: Community.host, timeZone: Community.timeZone).isEmpty)
            let suggested = try await database.apply([
                Suggestion(kind: .flagKeyPerson(residentID: "r1a", reason: "近期出院", cadenceDays: 1, until: Community.time(day: 1, hour: 8)),
                           suggestedBy: .module("daily-knock")),
            ], visitID: nil, at: at, lifecycle: NeedLifecycle())
            guard case .rejected(let reason) = suggested.first?.outcome else {
                Issue.record("a flag ending in the past was not rejected: \(suggested)")
                return
            }
            #expect(reason.contains("not after now"))
            #expect(try await database.keyPersons(caller: Community.host, timeZone: Community.timeZone).isEmpty)
        }
    }

    @Test("a resident with their key-persons entry in one read: all reasons, or none for a resident not on the list; outside the scope, notFound", arguments: TestEngine.all)
    func residentWithEntry(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let host = Community.host
            try await database.flagKeyPerson(residentID: "r1a", reason: "独居高龄", cadenceDays: 3, caller: host, at: Community.time(day: 1, hour: 8))
            try await database.flagKeyPerson(residentID: "r1a", reason: "近期出院", cadenceDays: 1, until: Community.time(day: 16, hour: 8),
                                             caller: host, at: Community.time(day: 2, hour: 8))
            try await database.recordVisit(Community.visit("v-1", resident: "r1a", at: Community.time(day: 3, hour: 9)), caller: host)
            let (resident, entry) = try await database.residentWithKeyPerson(id: "r1a", caller: host)
            #expect(resident == (try await database.resident(id: "r1a", caller: host)))
            #expect(entry == (try await database.keyPerson(residentID: "r1a", caller: host)))
            #expect(entry?.reasons.map(\.reason) == ["独居高龄", "近期出院"])
            #expect(entry?.cadenceDays == 1)
            #expect(entry?.lastKnockAt == Community.time(day: 3, hour: 9))
            let (other, none) = try await database.residentWithKeyPerson(id: "r2", caller: host)
            #expect(other.id == "r2")
            #expect(none == nil)
            // r3 lies outside the grid member's grid; nobody is r-404.
            for id in ["r3", "r-404"] {
                let missing = await #expect(throws: DomainError.self) { try await database.residentWithKeyPerson(id: id, caller: Community.gridMember) }
                #expect(missing?.code == .notFound)
            }
        }
    }

    @Test("assigning a member; entries outside the caller's scope are notFound", arguments: TestEngine.all)
    func assign(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            try await database.flagKeyPerson(residentID: "r1a", reason: "独居", cadenceDays: 1, caller: Community.host, at: Community.time(hour: 8))
            try await database.flagKeyPerson(residentID: "r3", reason: "独居", cadenceDays: 1, caller: Community.host, at: Community.time(hour: 8))
            #expect(try await database.assignKeyPerson(residentID: "r1a", memberID: "m3", caller: Community.gridMember).assignedMemberID == "m3")
            #expect(try await database.keyPerson(residentID: "r1a", caller: Community.gridMember).assignedMemberID == "m3")
            #expect(try await database.assignKeyPerson(residentID: "r1a", memberID: nil, caller: Community.gridMember).assignedMemberID == nil)
            let member = await #expect(throws: DomainError.self) {
                try await database.assignKeyPerson(residentID: "r1a", memberID: "nobody", caller: Community.gridMember)
            }
            #expect(member?.code == .notFound)
            for id in ["r3", "r2"] {
                let read = await #expect(throws: DomainError.self) { try await database.keyPerson(residentID: id, caller: Community.gridMember) }
                #expect(read?.message == "key person \(id) not found")
                let assign = await #expect(throws: DomainError.self) {
                    try await database.assignKeyPerson(residentID: id, memberID: "m1", caller: Community.gridMember)
                }
                #expect(assign?.code == .notFound)
                let flag = await #expect(throws: DomainError.self) {
                    try await database.flagKeyPerson(residentID: "r3", reason: "x", cadenceDays: 1, caller: Community.gridMember, at: Date())
                }
                #expect(flag?.code == .notFound)
            }
            let cadence = await #expect(throws: DomainError.self) {
                try await database.flagKeyPerson(residentID: "r1a", reason: "x", cadenceDays: 0, caller: Community.host, at: Date())
            }
            #expect(cadence?.code == .invalidArgument)
        }
    }
}
