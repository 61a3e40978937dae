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
            #expect(try await database.query(module: "mediation", collection: "people").items.isEmpty)
            #expect(try await database.query(module: "mediation", collection: "people", where: ["grid": "1"]).items.isEmpty)
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
            #expect(try await database.query(module: "canteen", collection: "people", where: ["grid": "1"]).items.map(\.value) == [bytes("A's")])
            #expect(try await database.query(module: "mediation", collection: "people", where: ["grid": "1"]).items.isEmpty)

            // A module whose id is a prefix of another's is still another module.
            #expect(try await database.get(module: "cantee", collection: "people", key: "p-1") == nil)
            #expect(try await database.get(module: "canteen2", collection: "people", key: "p-1") == nil)
        }
    }

    @Test("the records that come with a visit: each module's named collections at that key only", arguments: TestEngine.all)
    func visitRecords(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            try await database.put(module: "canteen", collection: "enrolments", key: "r-1", value: bytes("canteen's"))
            try await database.put(module: "canteen", collection: "enrolments", key: "r-2", value: bytes("another resident's"))
            try await database.put(module: "canteen", collection: "menus", key: "r-1", value: bytes("not asked for"))
            try await database.put(module: "mediation", collection: "enrolments", key: "r-1", value: bytes("mediation's"))
            try await database.put(module: "mediation", collection: "cases", key: "r-1", value: bytes("mediation's case"), index: ["grid": "1"])
            try await database.put(module: "mediation", collection: "cases", key: "r-1", value: bytes("mediation's case, again"), index: ["grid": "1"])

            let found = try await database.records(at: "r-1", in: ["canteen": ["enrolments", "orders"], "mediation": ["cases"], "after-school": ["pupils"]])
            #expect(found.keys.sorted() == ["canteen", "mediation"])
            #expect(found["canteen"]?.map { "\($0.collection)/\($0.key)=\(String(decoding: $0.value, as: UTF8.self))" } == ["enrolments/r-1=canteen's"])
            let cases = try #require(found["mediation"])
            #expect(cases.map { "\($0.collection)/\($0.key)=\(String(decoding: $0.value, as: UTF8.self))" } == ["cases/r-1=mediation's case, again"])
            #expect(cases.first?.version == 2)
            #expect(cases.first?.index == ["grid": "1"])
            #expect(try await database.records(at: "r-1", in: [:]).isEmpty)
            #expect(try await database.records(at: "r-9", in: ["canteen": ["enrolments"]]).isEmpty)
            await #expect(throws: StoreError.self) { try await database.records(at: "r-1", in: ["canteen": [""]]) }
        }
    }
}
