import Foundation
import Testing
import KnockStore

@Suite("Records: concurrent writers")
struct ConcurrencyTests {
    @Test("many tasks putting one key: every put gets its own version, none is lost", arguments: TestEngine.all)
    func blindPuts(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            let tasks = 16, putsEach = 10
            let versions = try await withThrowingTaskGroup(of: [UInt64].self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        var mine: [UInt64] = []
                        for put in 0..<putsEach {
                            mine.append(try await database.put(module: "m", collection: "c", key: "hot", value: bytes("\(task).\(put)"), index: ["writer": "\(task)"]))
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(versions.sorted() == Array(1...UInt64(tasks * putsEach)))
            let record = try await database.get(module: "m", collection: "c", key: "hot")
            #expect(record?.version == UInt64(tasks * putsEach))
            // The last write's index is the only one left.
            let writer = try #require(record?.index["writer"])
            #expect(try await database.query(module: "m", collection: "c", where: ["writer": writer]).items.count == 1)
            var indexed = 0
            for task in 0..<tasks {
                indexed += try await database.query(module: "m", collection: "c", where: ["writer": "\(task)"]).items.count
            }
            #expect(indexed == 1)
        }
    }

    @Test("read-modify-write with expected versions: a counter ends at the number of increments", arguments: TestEngine.all)
    func optimisticCounter(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            let tasks = 8, incrementsEach = 6
            try await database.put(module: "m", collection: "c", key: "counter", value: bytes("0"), expectedVersion: 0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        for _ in 0..<incrementsEach {
                            while true {
                                let record = try #require(try await database.get(module: "m", collection: "c", key: "counter"))
                                let count = Int(String(decoding: record.value, as: UTF8.self))! + 1
                                do {
                                    try await database.put(module: "m", collection: "c", key: "counter", value: bytes("\(count)"), expectedVersion: record.version)
                                    break
                                } catch let error as StoreError where error.code == .versionConflict {
                                    continue // another task wrote first: read again
                                }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let record = try await database.get(module: "m", collection: "c", key: "counter")
            #expect(record.map { String(decoding: $0.value, as: UTF8.self) } == "\(tasks * incrementsEach)")
            #expect(record?.version == UInt64(tasks * incrementsEach + 1))

        }
    }

    @Test("a write whose task is cancelled midway leaves the store writable: the transaction still ends", arguments: TestEngine.all)
    func cancelledWrites(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            for round in 0..<120 {
                // Cancelled at some point of its way: before, during or after its transaction.
                let write = Task {
                    try await database.batch(module: "m", operations: (0..<4).map {
                        .put(collection: "c", key: "k\(round)-\($0)", value: bytes("x"), index: ["round": "\(round)"], expectedVersion: nil)
                    })
                }
                try await Task.sleep(for: .microseconds(round % 12 * 40))
                write.cancel()
                // All of it or none of it.
                if case .success = await write.result {
                    #expect(try await database.query(module: "m", collection: "c", where: ["round": "\(round)"]).items.count == 4)
                } else {
                    #expect(try await database.query(module: "m", collection: "c", where: ["round": "\(round)"]).items.count <= 4)
                }
            }
            try await database.put(module: "m", collection: "c", key: "after", value: bytes("ok"))
            #expect(try await database.get(module: "m", collection: "c", key: "after")?.value == bytes("ok"))
        }
    }

    @Test("a write is seen by every read after it, whichever reading connection serves the read", arguments: TestEngine.all)
    func readsSeeWrites(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        for round in 0..<12 {
                            let key = "k-\(task)"
                            let version = try await database.put(module: "m", collection: "c", key: key, value: bytes("\(round)"), index: ["task": "\(task)"])
                            // Reads go to the reading connections in turn: each must see the put.
                            for _ in 0..<3 {
                                let record = try #require(try await database.get(module: "m", collection: "c", key: key))
                                #expect(record.version == version)
                                #expect(record.value == bytes("\(round)"))
                                let found = try await database.query(module: "m", collection: "c", where: ["task": "\(task)"])
                                #expect(found.items.map(\.version) == [version])
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("concurrent batches over the same keys in opposite orders all complete", arguments: TestEngine.all)
    func crossingBatches(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            let keys = (0..<6).map { "k\($0)" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    let order = task % 2 == 0 ? keys : keys.reversed()
                    group.addTask {
                        for _ in 0..<3 {
                            try await database.batch(module: "m", operations: order.map { .put(collection: "c", key: $0, value: bytes("\(task)")) })
                        }
                    }
                }
                try await group.waitForAll()
            }
            for key in keys {
                #expect(try await database.get(module: "m", collection: "c", key: key)?.version == 24)
            }
        }
    }
}
