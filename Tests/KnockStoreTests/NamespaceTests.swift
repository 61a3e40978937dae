import Foundation
import Testing
import KnockStore

@Suite("Records: module namespaces")
struct NamespaceTests {
    @Test("module B cannot read, query, overwrite or delete module A's record at the same collection and key", arguments: TestEngine.all)
    func isolated(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            try await database.put(module: "canteen", collection: "people", key: "p-1", value: bytes("A's"), index: ["grid": "1"])
            try await database.put(module: "canteen", collection: "people", key: "p-1", value: bytes("A's"), index: ["grid": "1"])

            #expect(try await database.get(module: "mediation", collection: "people", key: "p-1") == nil)
            #expect(try await database.query(module: "mediation", collection: "people").records.isEmpty)
            #expect(try await database.query(module: "mediation", collection: "people", where: ["grid": "1"]).records.isEmpty)
            #expect(try await database.delete(module: "mediation", collection: "people", key: "p-1") == false)
            // B's write at the same address is B's own record, new at version 1.
            let conflict = await #expect(throws: StoreError.self) {
                try await database.put(module: "mediation", collection: "people", key: "p-1", value: bytes("B's"), expectedVersion: 2)
            }
            #expect(conflict?.code == .versionConflict)
            #expect(try await database.put(module: "mediation", collection: "people", key: "p-1", value: bytes("B's"), index: ["grid": "1"], expectedVersion: 0) == 1)
            #expect(try await database.batch(module: "mediation", operations: [
                .put(collection: "people", key: "p-1", value: bytes("B's again"), index: ["grid": "1"]),
                .delete(collection: "people", key: "p-1"),
            ]) == [2, 0])

            let a = try await database.get(module: "canteen", collection: "people", key: "p-1")
            #expect(a?.value == bytes("A's"))
            #expect(a?.version == 2)
            #expect(try await database.query(module: "canteen", collection: "people", where: ["grid": "1"]).records.map(\.value) == [bytes("A's")])
            #expect(try await database.query(module: "mediation", collection: "people", where: ["grid": "1"]).records.isEmpty)

            // A module whose id is a prefix of another's is still another module.
            #expect(try await database.get(module: "cantee", collection: "people", key: "p-1") == nil)
            #expect(try await database.get(module: "canteen2", collection: "people", key: "p-1") == nil)
        }
    }
}
