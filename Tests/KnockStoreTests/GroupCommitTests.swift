import Foundation
import KnockDomain
import Synchronization
import SQLKit
import Testing
@testable import KnockStore

@Suite("Group commit")
struct GroupCommitTests {
    @Test("the state machine: the first arrival starts the writer, which takes bounded batches in arrival order until none waits")
    func stateMachine() {
        var machine = GroupCommit.StateMachine<Int>(maximumBatch: 3)
        #expect(machine.arrive(0) == .startWriter)
        for request in 1...4 {
            #expect(machine.arrive(request) == .wait)
        }
        #expect(machine.nextBatch() == [0, 1, 2])
        #expect(machine.waiting == 2)
        // While 0, 1, 2 are written, 5 arrives: the writer takes it with 3 and 4.
        #expect(machine.arrive(5) == .wait)
        #expect(machine.nextBatch() == [3, 4, 5])
        #expect(machine.isWriting)
        #expect(machine.nextBatch() == nil)
        #expect(!machine.isWriting)
        #expect(machine.arrive(6) == .startWriter)
        #expect(machine.nextBatch() == [6])
        #expect(machine.nextBatch() == nil)
    }

    @Test("many concurrent writes, one failing: the failing one gets its own error and writes nothing, the others commit", arguments: TestEngine.all)
    func oneFails(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let writers = 64
            let results = await withTaskGroup(of: (Int, Result<VisitRecording, any Error>).self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        // Writer 17 records a visit to a resident outside its scope, after its
                        // first statements ran: its savepoint is rolled back.
                        let caller = writer == 17 ? Community.gridMember : Community.host
                        let resident = writer == 17 ? "r3" : ["r1a", "r2", "r3"][writer % 3]
                        do {
                            return (writer, .success(try await database.recordVisit(Community.visit("v-\(writer)", resident: resident, at: Community.time(hour: 9)), caller: caller)))
                        } catch {
                            return (writer, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for (writer, result) in results {
                switch result {
                case .success(let recording):
                    #expect(writer != 17)
                    #expect(recording.visit.id == "v-\(writer)")
                case .failure(let error):
                    #expect(writer == 17)
                    #expect((error as? DomainError)?.code == .notFound)
                }
            }
            let stored = try await database.visits(caller: Community.host, limit: 1000).map(\.id)
            #expect(Set(stored) == Set((0..<writers).filter { $0 != 17 }.map { "v-\($0)" }))
        }
    }

    @Test("a request failing after it wrote is rolled back to its savepoint while its batch commits")
    func rolledBackAfterWriting() async throws {
        try await TestStore.withDatabase(.sqlite) { database in
            struct Refused: Error {}
            let engine = database.engine
            let results = await withTaskGroup(of: (Int, Bool).self) { group in
                for writer in 0..<40 {
                    group.addTask {
                        do {
                            try await engine.write { sql in
                                try await sql.insert(into: CommunityTables.units)
                                    .columns("id", "level", "name")
                                    .values(SQLBind("u\(writer)"), SQLBind("grid"), SQLBind("x"))
                                    .run()
                                if writer % 10 == 3 { throw Refused() }
                            }
                            return (writer, true)
                        } catch {
                            return (writer, false)
                        }
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(results.filter { !$0.value }.keys.sorted() == [3, 13, 23, 33])
            let stored = try await engine.withSession { sql in
                try await sql.select().column("id").from(CommunityTables.units).all(decodingColumn: "id", as: String.self)
            }
            #expect(Set(stored) == Set((0..<40).filter { $0 % 10 != 3 }.map { "u\($0)" }))
        }
    }

    @Test("a request without a savepoint that fails otherwise than by refusing fails its whole batch: nothing of it is written")
    func unguardedFailureFailsBatch() async throws {
        try await TestStore.withDatabase(.sqlite) { database in
            struct Broken: Error {}
            let engine = database.engine
            @Sendable func insert(_ id: String, on sql: any SQLDatabase) async throws {
                try await sql.insert(into: CommunityTables.units).columns("id", "level", "name")
                    .values(SQLBind(id), SQLBind("grid"), SQLBind("x")).run()
            }
            // "first" writes a batch of its own and holds it until "broken" and the others wait:
            // they are the next batch together.
            let sqlite = try #require(engine as? SQLiteEngine)
            let started = Mutex(false)
            let first = Task {
                try await engine.write { sql in
                    try await insert("first", on: sql)
                    started.withLock { $0 = true }
                    while sqlite.queuedWrites < 9 { try await Task.sleep(for: .milliseconds(5)) }
                }
            }
            while !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            let broken = Task {
                try await engine.write(isolation: .refusesBeforeWriting) { sql in
                    try await insert("broken", on: sql)
                    throw Broken()
                }
            }
            let others = (0..<8).map { number in Task { try await engine.write { sql in try await insert("other-\(number)", on: sql) } } }
            try await first.value
            await #expect(throws: Broken.self) { try await broken.value }
            for other in others {
                await #expect(throws: Broken.self) { try await other.value }
            }
            let stored = try await engine.withSession { sql in
                try await sql.select().column("id").from(CommunityTables.units).all(decodingColumn: "id", as: String.self)
            }
            #expect(stored == ["first"])
        }
    }

    @Test("a grouped item's value is heard of once written, before its batch commits; if the commit fails its caller still gets the error; a refused item is not heard of")
    func writtenBeforeCommit() async throws {
        try await TestStore.withDatabase(.sqlite) { (database: KnockDatabase) async throws in
            try await database.engine.withSession { (sql: any SQLDatabase) async throws in
                struct CommitFailed: Error {}
                let heard = Mutex<[String]>([])
                // Per batch: how many values had been heard of when it came to commit.
                let heardAtCommit = Mutex<[Int]>([])
                let failing = Mutex(false)
                let transaction: GroupCommit.Transaction = { body in
                    let results = try await body(sql)
                    heardAtCommit.withLock { $0.append(heard.withLock { $0.count }) }
                    if failing.withLock({ $0 }) { throw CommitFailed() }
                    return results
                }
                let commit = GroupCommit()
                @Sendable func submit(_ item: String, refusing: Bool = false) async throws -> String {
                    try await commit.submit(grouped: item, group: "g", in: transaction, written: { value in heard.withLock { $0.append(value) } }) { items, _ in
                        items.map { refusing ? .failure(DomainError(.notFound, "\($0) not found")) : .success("written \($0)") }
                    }
                }
                #expect(try await submit("a") == "written a")
                #expect(heard.withLock { $0 } == ["written a"])
                #expect(heardAtCommit.withLock { $0 } == [1])

                failing.withLock { $0 = true }
                await #expect(throws: CommitFailed.self) { try await submit("b") }
                #expect(heard.withLock { $0 } == ["written a", "written b"])
                #expect(heardAtCommit.withLock { $0 } == [1, 2])

                failing.withLock { $0 = false }
                await #expect(throws: DomainError.self) { try await submit("c", refusing: true) }
                #expect(heard.withLock { $0 } == ["written a", "written b"])
            }
        }
    }
}
