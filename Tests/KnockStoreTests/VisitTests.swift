import Foundation
import KnockDomain
import KnockStore
import Synchronization
import Testing

@Suite("Community: visits")
struct VisitTests {
    @Test("the same visit twice is stored once; the same id with other content is refused and changes nothing", arguments: TestEngine.all)
    func idempotent(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let visit = Community.visit("v-1", at: Community.time(hour: 9, minute: 30).addingTimeInterval(0.0004))
            let first = try await database.recordVisit(visit, caller: Community.gridMember)
            guard case .recorded(let stored) = first else {
                Issue.record("expected recorded, got \(first)")
                return
            }
            // Placed where the resident lives, not where the client said.
            #expect(stored.householdID == "h1")
            #expect(stored.gridID == "g1")
            #expect(stored.communityID == "c1")
            #expect(stored.streetID == "s")
            #expect(stored.at == Community.time(hour: 9, minute: 30))

            let again = try await database.recordVisit(visit, caller: Community.gridMember)
            #expect(again == .duplicate(stored))

            var changed = visit
            changed.observations = "不同"
            let error = await #expect(throws: DomainError.self) {
                try await database.recordVisit(changed, caller: Community.gridMember)
            }
            #expect(error?.code == .alreadyExists)
            let visits = try await database.visits(caller: Community.host)
            #expect(visits == [stored])
        }
    }

    @Test("visits arriving together are written together, and each gets its own answer: recorded, a retry's duplicate, a conflict, a refusal", arguments: TestEngine.all)
    func together(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            try await database.flagKeyPerson(residentID: "r1a", reason: "独居高龄", cadenceDays: 1, caller: Community.host, at: Community.time(day: 1, hour: 8))
            try await database.flagKeyPerson(residentID: "r1b", reason: "困境儿童", cadenceDays: 7, caller: Community.host, at: Community.time(day: 1, hour: 8))
            enum Sent: Sendable { case new(Int), retry(Int), conflict(Int), outside(Int), unknown(Int) }
            var sent: [(Sent, Visit)] = []
            for n in 0..<60 {
                let resident = n % 2 == 0 ? "r1a" : "r1b"
                let visit = Community.visit("batch-\(n)", resident: resident, at: Community.time(hour: 8, minute: n % 60))
                sent.append((.new(n), visit))
                if n % 6 == 0 { sent.append((.retry(n), visit)) }
                if n % 10 == 5 {
                    var other = visit
                    other.observations = "另一条 \(n)"
                    sent.append((.conflict(n), other))
                }
                if n % 15 == 0 { sent.append((.outside(n), Community.visit("out-\(n)", resident: "r3", at: Community.time(hour: 9)))) }
                if n % 20 == 0 { sent.append((.unknown(n), Community.visit("nobody-\(n)", resident: "nobody", at: Community.time(hour: 9)))) }
            }
            // All at once, so the writer takes many in one batch.
            let answers = await withTaskGroup(of: (Int, Result<VisitRecording, DomainError>).self) { group in
                for (index, (_, visit)) in sent.enumerated() {
                    group.addTask {
                        do {
                            return (index, .success(try await database.recordVisit(visit, caller: Community.gridMember)))
                        } catch let error as DomainError {
                            return (index, .failure(error))
                        } catch {
                            return (index, .failure(DomainError(.invalidArgument, "unexpected \(error)")))
                        }
                    }
                }
                var answers: [Int: Result<VisitRecording, DomainError>] = [:]
                for await (index, answer) in group { answers[index] = answer }
                return answers
            }
            // Per id: exactly one copy recorded; a copy with the same content is a duplicate of it,
            // one with other content is refused. Visits to residents outside the scope or unknown
            // are refused, whatever batch they were in.
            var copies: [String: [(Visit, Result<VisitRecording, DomainError>)]] = [:]
            for (index, (kind, visit)) in sent.enumerated() {
                let answer = try #require(answers[index])
                switch kind {
                case .new, .retry, .conflict:
                    copies[visit.id, default: []].append((visit, answer))
                case .outside, .unknown:
                    guard case .failure(let error) = answer else {
                        Issue.record("\(visit.id) was written: \(answer)")
                        continue
                    }
                    #expect(error.code == .notFound)
                }
            }
            var recordedIDs: [String: Int] = [:]
            for (id, answered) in copies {
                let recorded = answered.compactMap { _, answer -> Visit? in
                    if case .success(.recorded(let stored)) = answer { return stored }
                    return nil
                }
                recordedIDs[id] = recorded.count
                guard let kept = recorded.first else { continue }
                #expect(kept.gridID == "g1")
                for (visit, answer) in answered {
                    switch answer {
                    case .success(.recorded): continue
                    case .success(.duplicate(let stored)): #expect(stored == kept && visit.observations == kept.observations)
                    case .failure(let error): #expect(error.code == .alreadyExists && visit.observations != kept.observations, "\(id): \(error)")
                    }
                }
            }
            #expect(recordedIDs.count == 60)
            #expect(recordedIDs.values.allSatisfy { $0 == 1 })
            let stored = try await database.visits(caller: Community.host, limit: 1_000)
            #expect(stored.count == 60)
            #expect(Set(stored.map(\.id)) == Set((0..<60).map { "batch-\($0)" }))
            // Each key person's last knock is the latest of its visits (r1a: even n, the latest at
            // 08:58; r1b: odd n, at 08:59), however the batches fell.
            #expect(try await database.keyPerson(residentID: "r1a", caller: Community.host).lastKnockAt == Community.time(hour: 8, minute: 58))
            #expect(try await database.keyPerson(residentID: "r1b", caller: Community.host).lastKnockAt == Community.time(hour: 8, minute: 59))
        }
    }

    @Test("a visit recorded for the methods comes with its resident and key-persons entry as they are after it", arguments: TestEngine.all)
    func showingResident(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            try await database.flagKeyPerson(residentID: "r1a", reason: "独居高龄", cadenceDays: 1, caller: Community.host, at: Community.time(day: 1, hour: 8))
            let written = try await database.recordVisitShowingResident(Community.visit("v-1", at: Community.time(hour: 9)), caller: Community.gridMember)
            #expect(written.resident == (try await database.resident(id: "r1a", caller: Community.host)))
            #expect(written.keyPerson == (try await database.keyPerson(residentID: "r1a", caller: Community.host)))
            #expect(written.keyPerson?.lastKnockAt == Community.time(hour: 9))
            let child = try await database.recordVisitShowingResident(Community.visit("v-2", resident: "r1b", at: Community.time(hour: 9)), caller: Community.gridMember)
            #expect(child.resident.id == "r1b")
            #expect(child.keyPerson == nil)
            let retry = try await database.recordVisitShowingResident(Community.visit("v-1", at: Community.time(hour: 9)), caller: Community.gridMember)
            #expect(retry.recording == .duplicate(written.recording.visit))
        }
    }

    @Test("work on a written visit gets its methods' records at the resident, read with the visit; it runs neither for a refused visit nor with records for a retry; the caller returns once the visit is stored", arguments: TestEngine.all)
    func meanwhile(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            try await database.put(module: "keeper", collection: "notes", key: "r1a", value: Array("note on r1a".utf8))
            try await database.put(module: "keeper", collection: "notes", key: "r1b", value: Array("note on r1b".utf8))
            try await database.put(module: "keeper", collection: "other", key: "r1a", value: Array("not asked for".utf8))
            try await database.put(module: "pairs", collection: "elders", key: "r1a", value: Array("elder r1a".utf8))
            let wanted = ["keeper": ["notes", "flags"], "pairs": ["elders"]]
            @Sendable func notes(_ written: KnockDatabase.WrittenVisit) -> [String]? {
                written.records.map { records in
                    records.sorted { $0.key < $1.key }.flatMap { module, found in
                        found.map { "\(module)/\($0.collection)/\($0.key): \(String(decoding: $0.value, as: UTF8.self))" }
                    }
                }
            }
            // Visits to two residents at once: each gets its own resident's records.
            async let first = database.recordVisit(Community.visit("v-1", at: Community.time(hour: 9)), caller: Community.gridMember, withRecords: wanted) { notes($0) }
            async let second = database.recordVisit(Community.visit("v-2", resident: "r1b", at: Community.time(hour: 9)), caller: Community.gridMember, withRecords: wanted) { notes($0) }
            let (one, two) = try await (first, second)
            #expect(one.work == ["keeper/notes/r1a: note on r1a", "pairs/elders/r1a: elder r1a"])
            #expect(two.work == ["keeper/notes/r1b: note on r1b"])
            #expect(try await database.visits(ids: ["v-1", "v-2"], caller: Community.host).map(\.id) == ["v-1", "v-2"])

            // A retry is a duplicate, without records; a refused visit runs nothing.
            let retry = try await database.recordVisit(Community.visit("v-1", at: Community.time(hour: 9)), caller: Community.gridMember, withRecords: wanted) { $0 }
            #expect(retry.work.recording == .duplicate(one.written.recording.visit))
            #expect(retry.work.records == nil)
            let ran = Mutex(false)
            await #expect(throws: DomainError.self) {
                try await database.recordVisit(Community.visit("v-3", resident: "r3", at: Community.time(hour: 9)), caller: Community.gridMember, withRecords: wanted) { _ in
                    ran.withLock { $0 = true }
                }
            }
            #expect(!ran.withLock { $0 })
            let malformed = await #expect(throws: StoreError.self) {
                try await database.recordVisit(Community.visit("v-4", at: Community.time(hour: 9)), caller: Community.gridMember, withRecords: ["keeper": [""]]) { _ in }
            }
            #expect(malformed?.code == .invalidArgument)
        }
    }

    @Test("a visit to an unknown resident or one outside the caller's scope is notFound, alike", arguments: TestEngine.all)
    func outOfScope(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let outside = await #expect(throws: DomainError.self) {
                try await database.recordVisit(Community.visit("v-1", resident: "r3", at: Community.time(hour: 9)), caller: Community.gridMember)
            }
            let unknown = await #expect(throws: DomainError.self) {
                try await database.recordVisit(Community.visit("v-2", resident: "nobody", at: Community.time(hour: 9)), caller: Community.gridMember)
            }
            #expect(outside?.code == .notFound)
            #expect(unknown?.code == .notFound)
            #expect(outside?.message == "resident r3 not found")
            #expect(unknown?.message == "resident nobody not found")
            let visits = try await database.visits(caller: Community.host)
            #expect(visits.isEmpty)
        }
    }

    @Test("a visit that reached the resident moves the key person's last knock forward; no answer does not", arguments: TestEngine.all)
    func lastKnock(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            try await database.flagKeyPerson(residentID: "r1a", reason: "独居高龄", cadenceDays: 1, caller: Community.host, at: Community.time(day: 1, hour: 8))
            try await database.recordVisit(Community.visit("v-1", at: Community.time(hour: 9), outcome: .noAnswer), caller: Community.gridMember)
            #expect(try await database.keyPerson(residentID: "r1a", caller: Community.host).lastKnockAt == nil)
            try await database.recordVisit(Community.visit("v-2", at: Community.time(hour: 10), channel: .phone), caller: Community.gridMember)
            #expect(try await database.keyPerson(residentID: "r1a", caller: Community.host).lastKnockAt == Community.time(hour: 10))
            // An older visit recorded late does not move it back.
            try await database.recordVisit(Community.visit("v-3", at: Community.time(hour: 8)), caller: Community.gridMember)
            #expect(try await database.keyPerson(residentID: "r1a", caller: Community.host).lastKnockAt == Community.time(hour: 10))
        }
    }

    @Test("visits are listed newest first, by resident and time span, within the caller's scope", arguments: TestEngine.all)
    func listing(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            for (number, resident) in ["r1a", "r1b", "r2", "r3", "r1a"].enumerated() {
                try await database.recordVisit(Community.visit("v-\(number)", resident: resident, at: Community.time(hour: 9 + number)), caller: Community.host)
            }
            #expect(try await database.visits(caller: Community.host).map(\.id) == ["v-4", "v-3", "v-2", "v-1", "v-0"])
            #expect(try await database.visits(caller: Community.gridMember).map(\.id) == ["v-4", "v-1", "v-0"])
            #expect(try await database.visits(caller: Community.communityStaff, residentID: "r1a").map(\.id) == ["v-4", "v-0"])
            #expect(try await database.visits(caller: Community.host, from: Community.time(hour: 10), to: Community.time(hour: 12)).map(\.id) == ["v-2", "v-1"])
            #expect(try await database.visits(caller: Community.host, limit: 2).map(\.id) == ["v-4", "v-3"])
            #expect(try await database.visits(caller: Community.gridMember, residentID: "r3").isEmpty)
        }
    }

    @Test("many concurrent callers recording visits: every visit is stored, retries once", arguments: TestEngine.all)
    func concurrent(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let callers = 32, visitsEach = 20
            let outcomes = try await withThrowingTaskGroup(of: [VisitRecording].self) { group in
                for caller in 0..<callers {
                    group.addTask {
                        var outcomes: [VisitRecording] = []
                        for number in 0..<visitsEach {
                            // Every caller records its visits, and retries the one before.
                            let visit = Community.visit("v-\(caller)-\(number)", resident: ["r1a", "r1b", "r2", "r3"][number % 4], at: Community.time(hour: 9, minute: number))
                            outcomes.append(try await database.recordVisit(visit, caller: Community.host))
                            if number > 0 {
                                let previous = Community.visit("v-\(caller)-\(number - 1)", resident: ["r1a", "r1b", "r2", "r3"][(number - 1) % 4], at: Community.time(hour: 9, minute: number - 1))
                                outcomes.append(try await database.recordVisit(previous, caller: Community.host))
                            }
                        }
                        return outcomes
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let recorded = outcomes.filter { if case .recorded = $0 { true } else { false } }
            #expect(recorded.count == callers * visitsEach)
            #expect(outcomes.count - recorded.count == callers * (visitsEach - 1))
            let stored = try await database.visits(caller: Community.host, limit: 1000)
            #expect(Set(stored.map(\.id)).count == callers * visitsEach)
            #expect(stored.count == callers * visitsEach)
        }
    }
}
