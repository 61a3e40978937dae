import Foundation
import Testing
import KnockStore

@Suite("Records: batches")
struct BatchTests {
    @Test("a batch applies its writes in order and returns each put's version, 0 for deletes", arguments: TestEngine.all)
    func appliesInOrder(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            try await database.put(module: "m", collection: "c", key: "old", value: bytes("old"), index: ["f": "1"])
            let versions = try await database.batch(module: "m", operations: [
                .put(collection: "c", key: "a", value: bytes("a"), index: ["f": "1"]),
                .put(collection: "c", key: "a", value: bytes("a2"), index: ["f": "2"], expectedVersion: 1),
                .put(collection: "d", key: "b", value: bytes("b"), expectedVersion: 0),
                .delete(collection: "c", key: "old"),
                .delete(collection: "c", key: "never"),
            ])
            #expect(versions == [1, 2, 1, 0, 0])
            #expect(try await database.get(module: "m", collection: "c", key: "a")?.value == bytes("a2"))
            #expect(try await database.get(module: "m", collection: "d", key: "b")?.version == 1)
            #expect(try await database.get(module: "m", collection: "c", key: "old") == nil)
            #expect(try await database.query(module: "m", collection: "c", where: ["f": "1"]).items.isEmpty)
            #expect(try await database.query(module: "m", collection: "c", where: ["f": "2"]).items.map(\.key) == ["a"])
            #expect(try await database.batch(module: "m", operations: []) == [])
        }
    }

    @Test("a batch whose last write conflicts writes nothing at all", arguments: TestEngine.all)
    func allOrNothing(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            try await database.put(module: "m", collection: "c", key: "kept", value: bytes("kept"), index: ["f": "1"])
            let error = await #expect(throws: StoreError.self) {
                try await database.batch(module: "m", operations: [
                    .put(collection: "c", key: "new", value: bytes("new"), index: ["f": "1"]),
                    .put(collection: "c", key: "kept", value: bytes("changed"), index: ["f": "2"]),
                    .delete(collection: "c", key: "kept"),
                    .put(collection: "c", key: "other", value: bytes("x"), expectedVersion: 7),
                ])
            }
            #expect(error?.code == .versionConflict)
            #expect(error?.message.hasPrefix("batch write 3: ") == true)
            #expect(try await database.get(module: "m", collection: "c", key: "new") == nil)
            let kept = try await database.get(module: "m", collection: "c", key: "kept")
            #expect(kept?.value == bytes("kept"))
            #expect(kept?.version == 1)
            #expect(try await database.query(module: "m", collection: "c", where: ["f": "1"]).items.map(\.key) == ["kept"])
            #expect(try await database.query(module: "m", collection: "c", where: ["f": "2"]).items.isEmpty)
            // The store is usable afterwards: the failed transaction was rolled back.
            #expect(try await database.put(module: "m", collection: "c", key: "new", value: [], expectedVersion: 0) == 1)
        }
    }

    @Test("a batch with one write over a limit is refused before anything is written", arguments: TestEngine.all)
    func invalidWriteRefusesAll(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            let error = await #expect(throws: StoreError.self) {
                try await database.batch(module: "m", operations: [
                    .put(collection: "c", key: "fine", value: []),
                    .put(collection: "c", key: String(repeating: "k", count: 129), value: []),
                ])
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.hasPrefix("batch write 1: ") == true)
            let fine = try await database.get(module: "m", collection: "c", key: "fine")
            #expect(fine == nil)

            let tooMany = await #expect(throws: StoreError.self) {
                try await database.batch(module: "m", operations: Array(repeating: .delete(collection: "c", key: "k"), count: StoreLimits.maximumBatchWrites + 1))
            }
            #expect(tooMany?.code == .invalidArgument)
        }
    }
}
