import Foundation
import Testing
import KnockStore

@Suite("Records: put, get, versions, delete")
struct RecordTests {
    @Test("put creates at version 1, each put adds one, get returns what was written", arguments: TestEngine.all)
    func putAndGet(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            let before = Date().addingTimeInterval(-1)
            let first = try await database.put(module: "canteen", collection: "orders", key: "o-1", value: bytes("soup"), index: ["day": "mon", "grid": "3"])
            #expect(first == 1)
            var record = try #require(try await database.get(module: "canteen", collection: "orders", key: "o-1"))
            #expect(record.collection == "orders")
            #expect(record.key == "o-1")
            #expect(record.value == bytes("soup"))
            #expect(record.index == ["day": "mon", "grid": "3"])
            #expect(record.version == 1)
            #expect(record.updatedAt >= before && record.updatedAt <= Date().addingTimeInterval(1))

            let second = try await database.put(module: "canteen", collection: "orders", key: "o-1", value: bytes("noodles"), index: ["day": "tue"])
            #expect(second == 2)
            record = try #require(try await database.get(module: "canteen", collection: "orders", key: "o-1"))
            #expect(record.value == bytes("noodles"))
            #expect(record.index == ["day": "tue"])
            #expect(record.version == 2)
            #expect(try await database.put(module: "canteen", collection: "orders", key: "o-1", value: []) == 3)

            #expect(try await database.get(module: "canteen", collection: "orders", key: "o-2") == nil)
            #expect(try await database.get(module: "canteen", collection: "menus", key: "o-1") == nil)
        }
    }

    @Test("values of every size up to 1 MiB, any bytes, and keys in any script come back unchanged", arguments: TestEngine.all)
    func valuesAndNames(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            let values: [String: [UInt8]] = [
                "empty": [],
                "zeros": [0, 0, 0],
                "all bytes": Array(0...255),
                "one MiB": (0..<StoreLimits.maximumValueBytes).map { UInt8(truncatingIfNeeded: $0 &* 31) },
            ]
            for (key, value) in values {
                try await database.put(module: "m", collection: "values", key: key, value: value)
                #expect(try await database.get(module: "m", collection: "values", key: key)?.value == value, "\(key)")
            }
            let key = "王阿姨/3栋-2单元 🏠"
            try await database.put(module: "m", collection: "住户", key: key, value: bytes("x"), index: ["网格": "青山-7"])
            #expect(try await database.get(module: "m", collection: "住户", key: key)?.index == ["网格": "青山-7"])
            let page = try await database.query(module: "m", collection: "住户", where: ["网格": "青山-7"])
            #expect(page.items.map(\.key) == [key])
        }
    }

    @Test("expected versions: 0 means only if absent, n means only at n; a conflict writes nothing", arguments: TestEngine.all)
    func expectedVersions(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            #expect(try await database.put(module: "m", collection: "c", key: "k", value: bytes("one"), index: ["f": "1"], expectedVersion: 0) == 1)

            let exists = await #expect(throws: StoreError.self) {
                try await database.put(module: "m", collection: "c", key: "k", value: bytes("other"), index: ["f": "x"], expectedVersion: 0)
            }
            #expect(exists?.code == .versionConflict)
            #expect(exists?.message.contains("already exists (version 1)") == true)

            #expect(try await database.put(module: "m", collection: "c", key: "k", value: bytes("two"), index: ["f": "2"], expectedVersion: 1) == 2)

            let stale = await #expect(throws: StoreError.self) {
                try await database.put(module: "m", collection: "c", key: "k", value: bytes("stale"), index: ["f": "x"], expectedVersion: 1)
            }
            #expect(stale?.code == .versionConflict)
            #expect(stale?.message.contains("is at version 2; it was expected at version 1") == true)

            let absent = await #expect(throws: StoreError.self) {
                try await database.put(module: "m", collection: "c", key: "nobody", value: bytes("x"), expectedVersion: 3)
            }
            #expect(absent?.code == .versionConflict)
            #expect(absent?.message.contains("does not exist") == true)

            let record = try await database.get(module: "m", collection: "c", key: "k")
            #expect(record?.value == bytes("two"))
            #expect(record?.version == 2)
            #expect(record?.index == ["f": "2"])
            #expect(try await database.query(module: "m", collection: "c", where: ["f": "x"]).items.isEmpty)
            #expect(try await database.get(module: "m", collection: "c", key: "nobody") == nil)
        }
    }

    @Test("a rewrite with the same indexed fields keeps the record findable by them; other fields move it; every rewrite counts a version", arguments: TestEngine.all)
    func rewriteKeepsIndex(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { (database: KnockDatabase) async throws in
            func found(_ field: String, _ value: String) async throws -> [String] {
                try await database.query(module: "m", collection: "c", where: [field: value]).items.map { "\($0.key) v\($0.version): \(String(decoding: $0.value, as: UTF8.self))" }
            }
            #expect(try await database.put(module: "m", collection: "c", key: "k", value: bytes("one"), index: ["f": "1", "g": "a/b"]) == 1)
            #expect(try await database.put(module: "m", collection: "c", key: "k", value: bytes("two"), index: ["g": "a/b", "f": "1"]) == 2)
            #expect(try await database.put(module: "m", collection: "c", key: "k", value: bytes("three"), index: ["f": "1", "g": "a/b"], expectedVersion: 2) == 3)
            #expect(try await found("f", "1") == ["k v3: three"])
            #expect(try await found("g", "a/b") == ["k v3: three"])
            let stale = await #expect(throws: StoreError.self) {
                try await database.put(module: "m", collection: "c", key: "k", value: bytes("stale"), index: ["f": "1", "g": "a/b"], expectedVersion: 2)
            }
            #expect(stale?.code == .versionConflict)
            #expect(try await database.put(module: "m", collection: "c", key: "k", value: bytes("four"), index: ["f": "2"], expectedVersion: 3) == 4)
            #expect(try await found("f", "1").isEmpty)
            #expect(try await found("g", "a/b").isEmpty)
            #expect(try await found("f", "2") == ["k v4: four"])
            #expect(try await database.put(module: "m", collection: "c", key: "k", value: bytes("five"), index: [:]) == 5)
            #expect(try await found("f", "2").isEmpty)
            #expect(try await database.put(module: "m", collection: "c", key: "k", value: bytes("six"), index: [:]) == 6)
            #expect(try await database.get(module: "m", collection: "c", key: "k")?.index == [:])
        }
    }

    @Test("delete removes the record and its index entries; a later put starts again at version 1", arguments: TestEngine.all)
    func delete(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            try await database.put(module: "m", collection: "c", key: "k", value: bytes("v"), index: ["f": "1"])
            try await database.put(module: "m", collection: "c", key: "k", value: bytes("v2"), index: ["f": "1"])
            try await database.put(module: "m", collection: "c", key: "other", value: bytes("o"), index: ["f": "1"])
            #expect(try await database.delete(module: "m", collection: "c", key: "k") == true)
            #expect(try await database.delete(module: "m", collection: "c", key: "k") == false)
            #expect(try await database.get(module: "m", collection: "c", key: "k") == nil)
            #expect(try await database.query(module: "m", collection: "c", where: ["f": "1"]).items.map(\.key) == ["other"])
            #expect(try await database.put(module: "m", collection: "c", key: "k", value: bytes("again"), expectedVersion: 0) == 1)
            #expect(try await database.query(module: "m", collection: "c", where: ["f": "1"]).items.map(\.key) == ["other"])
        }
    }
}
