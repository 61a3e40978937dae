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
                try await QueryPlan.explain(
                    RecordTables.pageSelect(module: "m", collection: "c", where: ["grid": "g1", "alone": "1"], limit: 10, after: "k1"),
                    on: sql
                )
            }
            #expect(plan.contains(RecordTables.indexLookup), "\(plan)")
            #expect(!plan.contains("SCAN knock_record_index\n") && !plan.contains("Seq Scan"), "\(plan)")
        }
    }

    @Test("the records that come with visits are read through the primary key, whatever the number of modules and visits", arguments: TestEngine.all)
    func visitRecordsByKey(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            for number in 0..<50 {
                for module in ["a", "b", "c"] {
                    try await database.put(module: module, collection: "notes", key: "r\(number)", value: [], index: ["grid": "g\(number % 5)"])
                }
            }
            for keys in [["r7"], ["r7", "r12", "r30"]] {
                let select = try #require(RecordTables.recordsSelect(at: keys, in: ["a": ["notes", "flags"], "b": ["notes"], "c": ["elders"]]))
                let plan = try await database.engine.withSession { sql in try await QueryPlan.explain(select, on: sql) }
                #expect(!plan.contains("SCAN knock_records\n") && !plan.contains("Seq Scan"), "\(plan)")
            }
        }
    }
}
