import Foundation
import Testing
import KnockStore

@Suite("Records: limits")
struct LimitTests {
    private static let manyFields = Dictionary(uniqueKeysWithValues: (0...StoreLimits.maximumIndexedFields).map { ("f\($0)", "v") })

    /// Writes that break a limit, the words the error must contain, and the key that must stay absent.
    private static let refusedPuts: [(name: String, collection: String, key: String, value: [UInt8], index: [String: String], says: String)] = [
        ("empty collection", "", "k", [], [:], "collection is empty"),
        ("long collection", String(repeating: "c", count: 129), "k", [], [:], "collection is 129 bytes; at most 128"),
        ("empty key", "c", "", [], [:], "key in collection c is empty"),
        ("long key", "c", String(repeating: "é", count: 65), [], [:], "is 130 bytes; at most 128"),
        ("NUL in key", "c", "a\u{0}b", [], [:], "contains a NUL"),
        ("long value", "c", "k", Array(repeating: 1, count: StoreLimits.maximumValueBytes + 1), [:], "at most 1048576 (1 MiB)"),
        ("empty field name", "c", "k", [], ["": "v"], "name is empty"),
        ("long field name", "c", "k", [], [String(repeating: "f", count: 65): "v"], "is 65 bytes; at most 64"),
        ("too many fields", "c", "k", [], manyFields, "33 given; at most 32"),
        ("long field value", "c", "k", [], ["f": String(repeating: "v", count: 1025)], "at most 1024"),
        ("NUL in field value", "c", "k", [], ["f": "\u{0}"], "contains a NUL"),
    ]

    @Test("writes over a limit fail with invalidArgument, say which limit, and write nothing", arguments: TestEngine.all)
    func refusedWrites(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            for write in Self.refusedPuts {
                let error = await #expect(throws: StoreError.self, "\(write.name)") {
                    try await database.put(module: "m", collection: write.collection, key: write.key, value: write.value, index: write.index)
                }
                #expect(error?.code == .invalidArgument, "\(write.name)")
                #expect(error?.message.contains(write.says) == true, "\(write.name): \(error?.message ?? "")")
            }
            let written = try await database.query(module: "m", collection: "c")
            #expect(written.items.isEmpty)

            let expected = await #expect(throws: StoreError.self) {
                try await database.put(module: "m", collection: "c", key: "k", value: [], expectedVersion: .max)
            }
            #expect(expected?.code == .invalidArgument)
            let module = await #expect(throws: StoreError.self) {
                try await database.put(module: "", collection: "c", key: "k", value: [])
            }
            #expect(module?.code == .invalidArgument)
            #expect(module?.message.contains("module id is empty") == true)
            let stillNothing = try await database.query(module: "m", collection: "c")
            #expect(stillNothing.items.isEmpty)
        }
    }

    @Test("writes exactly at every limit are accepted", arguments: TestEngine.all)
    func writesAtTheLimits(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            let collection = String(repeating: "c", count: 128)
            let key = String(repeating: "é", count: 64)
            var index = Dictionary(uniqueKeysWithValues: (1..<StoreLimits.maximumIndexedFields).map { ("f\($0)", "v") })
            index[String(repeating: "f", count: 64)] = String(repeating: "v", count: 1024)
            let module = String(repeating: "m", count: 128)
            try await database.put(module: module, collection: collection, key: key, value: Array(repeating: 7, count: StoreLimits.maximumValueBytes), index: index)
            let record = try await database.get(module: module, collection: collection, key: key)
            #expect(record?.index == index)
            #expect(try await database.query(module: module, collection: collection, where: index).items.map(\.key) == [key])
        }
    }

    @Test("queries out of bounds fail with invalidArgument", arguments: TestEngine.all)
    func refusedQueries(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            for limit in [0, -1, 1001] {
                let error = await #expect(throws: StoreError.self) {
                    try await database.query(module: "m", collection: "c", limit: limit)
                }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.contains("must be 1 to 1000") == true)
            }
            for (conditions, after) in [(Self.manyFields, nil), (["": "x"], nil), ([:], ""), ([:], String(repeating: "k", count: 129))] as [([String: String], String?)] {
                let error = await #expect(throws: StoreError.self) {
                    try await database.query(module: "m", collection: "c", where: conditions, after: after)
                }
                #expect(error?.code == .invalidArgument)
            }
            let smallest = try await database.query(module: "m", collection: "c", limit: 1)
            let largest = try await database.query(module: "m", collection: "c", limit: 1000)
            #expect(smallest.items.isEmpty && largest.items.isEmpty)
        }
    }
}
