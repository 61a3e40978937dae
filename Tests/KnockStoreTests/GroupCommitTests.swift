import Foundation
import KnockDomain
import Synchronization
import SQLKit
import Testing
@testable import KnockStore

@Suite("Group commit")
struct GroupCommitTests {
    @Test("the state machine: the first writes, the others queue; batches are bounded; the role passes to the first waiting")
    func stateMachine() {
        var machine = GroupCommit.StateMachine<Int>(maximumBatch: 3)
        #expect(machine.arrive(0) == .write)
        for request in 1...5 {
            #expect(machine.arrive(request) == .wait)
        }
        #expect(machine.takeBatch() == [1, 2])
        #expect(machine.waiting == 3)
        // Batch 0, 1, 2 committed: 3 writes next, taking 4 and 5.
        #expect(machine.finishBatch() == 3)
        #expect(machine.isWriting)
        #expect(machine.arrive(6) == .wait)
        #expect(machine.takeBatch() == [4, 5])
        #expect(machine.finishBatch() == 6)
        #expect(machine.takeBatch() == [])
        #expect(machine.finishBatch() == nil)
        #expect(!machine.isWriting)
        #expect(machine.arrive(7) == .write)
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
}
