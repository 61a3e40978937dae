import Foundation
import KnockDomain
import SQLKit
import Testing
@testable import KnockStore

@Suite("Community: query plans")
struct CommunityQueryPlanTests {
    @Test("due key persons and needs of a grid or a community are found through an index", arguments: TestEngine.all)
    func indexed(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let day = try CalendarDay(parsing: "2026-03-05")
            for scope in [Scope.grids(["g1"]), .community("c1")] {
                let (dialect, plans) = try await database.engine.withSession { sql in
                    (sql.dialect.name, [
                        "key persons": try await QueryPlan.explain(
                            KnockDatabase.narrow(CommunityTables.keyPersonsSelect(on: sql), within: scope, dueOn: day, timeZone: Community.timeZone), on: sql
                        ),
                        "overdue needs": try await QueryPlan.explain(KnockDatabase.needsSelect(within: scope, filter: .overdue(at: Date()), on: sql), on: sql),
                        "open needs": try await QueryPlan.explain(KnockDatabase.needsSelect(within: scope, filter: NeedFilter(statuses: [.open]), on: sql), on: sql),
                    ])
                }
                for (what, plan) in plans {
                    // SQLite takes the scope's index; PostgreSQL, on tables this small, may take the
                    // status index instead: either serves without reading the table.
                    let table = what == "key persons" ? CommunityTables.keyPersons : CommunityTables.needs
                    #expect(plan.contains("\(table)_by_"), "\(what) in \(scope): \(plan)")
                    if dialect == "sqlite" {
                        let column = scope.level == .grid ? "grid" : "community"
                        #expect(plan.contains("\(table)_by_\(column)"), "\(what) in \(scope): \(plan)")
                    }
                    let scans = plan.split(separator: "\n").filter { $0.hasPrefix("SCAN ") || $0.contains("Seq Scan") }
                    #expect(scans.isEmpty, "\(what) in \(scope): \(plan)")
                }
            }
        }
    }
}
