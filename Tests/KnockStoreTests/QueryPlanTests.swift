import Foundation
import SQLKit
import Testing
@testable import KnockStore

@Suite("Query plans")
struct QueryPlanTests {
    @Test("a query on indexed fields reads the lookup index, not whole tables", arguments: TestEngine.all)
    func usesLookupIndex(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            for number in 0..<50 {
                try await database.put(module: "m", collection: "c", key: "k\(number)", value: [], index: ["grid": "g\(number % 5)", "alone": "\(number % 2)"])
            }
            let plan = try await database.engine.withSession { sql in
                let select = RecordTables.pageSelect(module: "m", collection: "c", where: ["grid": "g1", "alone": "1"], limit: 10, after: "k1", on: sql)
                let (text, binds) = sql.serialize(select.select)
                switch sql.dialect.name {
                case "postgresql":
                    // Tables this small are cheaper to scan; the question is whether the index can serve.
                    try await sql.execute("SET enable_seqscan = off")
                    let rows = try await sql.raw(SQLQueryString("EXPLAIN \(unsafeRaw: Self.inline(text, binds, dialect: "postgresql"))")).all()
                    try await sql.execute("RESET enable_seqscan")
                    return try rows.map { try $0.decode(column: "QUERY PLAN", as: String.self) }.joined(separator: "\n")
                default:
                    let rows = try await sql.raw(SQLQueryString("EXPLAIN QUERY PLAN \(unsafeRaw: Self.inline(text, binds, dialect: "sqlite"))")).all()
                    return try rows.map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
                }
            }
            #expect(plan.contains(RecordTables.indexLookup), "\(plan)")
            #expect(!plan.contains("SCAN knock_record_index\n") && !plan.contains("Seq Scan"), "\(plan)")
        }
    }

    /// `text` with its bind placeholders replaced by the binds as SQL string literals (the binds
    /// here are plain strings without quotes).
    private static func inline(_ text: String, _ binds: [any Encodable & Sendable], dialect: String) -> String {
        var result = text
        for (position, bind) in binds.enumerated().reversed() {
            let placeholder = dialect == "postgresql" ? "$\(position + 1)" : "?\(position + 1)"
            result = result.replacingOccurrences(of: placeholder, with: "'\(bind)'")
        }
        return result
    }
}
