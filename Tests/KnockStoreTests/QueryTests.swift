import Foundation
import Testing
import KnockStore

@Suite("Records: queries")
struct QueryTests {
    /// 30 residents: `r-00` … `r-29`, in grids `g0` … `g2` (number mod 3), living alone when even.
    private func addResidents(_ database: KnockDatabase) async throws {
        // Written out of key order, so the order of the results is the store's doing.
        for number in (0..<30).reversed() {
            try await database.put(
                module: "pairing", collection: "residents", key: String(format: "r-%02d", number), value: bytes("\(number)"),
                index: ["grid": "g\(number % 3)", "alone": number % 2 == 0 ? "yes" : "no"]
            )
        }
        // Another collection with the same fields: never in the results.
        try await database.put(module: "pairing", collection: "volunteers", key: "r-00", value: [], index: ["grid": "g0", "alone": "yes"])
    }

    private func keys(_ numbers: some Sequence<Int>) -> [String] {
        numbers.map { String(format: "r-%02d", $0) }
    }

    @Test("equality on one indexed field, in key order", arguments: TestEngine.all)
    func oneField(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            try await addResidents(database)
            let page = try await database.query(module: "pairing", collection: "residents", where: ["grid": "g1"], limit: 100)
            #expect(page.items.map(\.key) == keys(stride(from: 1, to: 30, by: 3)))
            #expect(page.nextAfter == nil)
            #expect(page.items.allSatisfy { $0.index["grid"] == "g1" && $0.value == bytes(String(Int($0.key.dropFirst(2))!)) })
            #expect(try await database.query(module: "pairing", collection: "residents", where: ["grid": "g9"]).items.isEmpty)
            #expect(try await database.query(module: "pairing", collection: "residents", where: ["street": "g1"]).items.isEmpty)
        }
    }

    @Test("equality on two indexed fields", arguments: TestEngine.all)
    func twoFields(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            try await addResidents(database)
            let page = try await database.query(module: "pairing", collection: "residents", where: ["grid": "g0", "alone": "yes"])
            #expect(page.items.map(\.key) == keys(stride(from: 0, to: 30, by: 6)))
            let none = try await database.query(module: "pairing", collection: "residents", where: ["grid": "g0", "alone": "maybe"])
            #expect(none.items.isEmpty)
            let three = try await database.query(module: "pairing", collection: "residents", where: ["grid": "g0", "alone": "no", "nothing": ""])
            #expect(three.items.isEmpty)
        }
    }

    @Test("pages follow continuation keys to the end, without gaps or repeats", arguments: TestEngine.all)
    func paging(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            try await addResidents(database)
            for conditions in [[:], ["alone": "no"], ["alone": "no", "grid": "g2"]] as [[String: String]] {
                let all = try await database.query(module: "pairing", collection: "residents", where: conditions, limit: 1000)
                var pages: [[String]] = []
                var after: String?
                repeat {
                    let page = try await database.query(module: "pairing", collection: "residents", where: conditions, limit: 4, after: after)
                    #expect(page.items.count <= 4)
                    pages.append(page.items.map(\.key))
                    after = page.nextAfter
                    if let after { #expect(after == page.items.last?.key) }
                } while after != nil && pages.count < 20
                #expect(pages.flatMap { $0 } == all.items.map(\.key), "\(conditions)")
                #expect(pages.dropLast().allSatisfy { $0.count == 4 })
            }
            let whole = try await database.query(module: "pairing", collection: "residents", limit: 30)
            #expect(whole.items.map(\.key) == keys(0..<30))
            #expect(whole.nextAfter == nil, "exactly a full page: no next page")
            let tail = try await database.query(module: "pairing", collection: "residents", where: ["alone": "yes"], limit: 2, after: "r-20")
            #expect(tail.items.map(\.key) == keys([22, 24]))
            #expect(tail.nextAfter == "r-24")
        }
    }

    @Test("key order is the byte order of the keys' UTF-8, on every engine", arguments: TestEngine.all)
    func byteOrder(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            let keys = ["b", "B", "a", "A", "_", "a b", "ab", "é", "z", "Z", "10", "9", "王", "😀", "-"]
            for key in keys.shuffled() {
                try await database.put(module: "m", collection: "c", key: key, value: [], index: ["all": "1"])
            }
            let expected = keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            #expect(try await database.query(module: "m", collection: "c").items.map(\.key) == expected)
            #expect(try await database.query(module: "m", collection: "c", where: ["all": "1"]).items.map(\.key) == expected)
            let afterZ = try await database.query(module: "m", collection: "c", where: ["all": "1"], after: "Z")
            #expect(afterZ.items.map(\.key) == expected.filter { Array("Z".utf8).lexicographicallyPrecedes(Array($0.utf8)) })
        }
    }

    @Test("an update moves a record between index values", arguments: TestEngine.all)
    func indexFollowsUpdates(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            try await database.put(module: "m", collection: "needs", key: "n-1", value: [], index: ["status": "open", "owner": "li"])
            #expect(try await database.query(module: "m", collection: "needs", where: ["status": "open"]).items.count == 1)
            try await database.put(module: "m", collection: "needs", key: "n-1", value: [], index: ["status": "resolved"])
            #expect(try await database.query(module: "m", collection: "needs", where: ["status": "open"]).items.isEmpty)
            #expect(try await database.query(module: "m", collection: "needs", where: ["owner": "li"]).items.isEmpty)
            #expect(try await database.query(module: "m", collection: "needs", where: ["status": "resolved"]).items.map(\.key) == ["n-1"])
        }
    }
}
