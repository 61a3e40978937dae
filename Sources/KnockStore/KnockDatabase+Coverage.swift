import Foundation
import KnockDomain
import SQLKit

/// Coverage: per grid, how well it was covered over a span of days, computed by the database
/// with aggregates over the scope's rows.
extension KnockDatabase {
    /// How each grid in `scope` was covered from `from` to `to` (both days included): one row
    /// per grid, grids without any activity included, in grid order.
    ///
    /// Households are those stored now; visits, households visited and knocks by channel count
    /// visits whose time falls in the span; planned knocks count the saved plans of the span's
    /// days; needs opened count needs raised in the span, needs resolved and their mean hours
    /// to resolve those resolved in it; overdue needs are those active now and due before the
    /// span's end (or `now`, if earlier); mean satisfaction is over follow-ups in the span.
    /// - Parameters:
    ///   - scope: Whose grids.
    ///   - from: The first day.
    ///   - to: The last day.
    ///   - timeZone: The deployment's time zone, in which days begin.
    ///   - now: The present, for overdue needs.
    /// - Returns: One row per grid.
    /// - Throws: ``DomainError`` `invalidArgument` if `to` is before `from`; ``StoreError`` if
    ///   the database fails.
    public func coverage(in scope: Scope, from: CalendarDay, to: CalendarDay, timeZone: TimeZone, now: Date) async throws -> [GridCoverage] {
        guard from <= to else {
            throw DomainError(.invalidArgument, "the span from \(from) to \(to) ends before it begins")
        }
        let start = from.start(in: timeZone).milliseconds
        let end = to.adding(days: 1).start(in: timeZone).milliseconds
        let overdueBefore = min(end, now.milliseconds)
        return try await communityRead("computing the coverage of \(scope)") { database in
            let grids = try await database.select().column("id").from(CommunityTables.units)
                .where("level", .equal, OrganisationLevel.grid.rawValue)
                .within(scope)
                .orderBy("id")
                .all(decodingColumn: "id", as: String.self)
            var rows = Dictionary(uniqueKeysWithValues: grids.map {
                ($0, GridCoverage(
                    gridID: $0, households: 0, householdsVisited: 0, plannedKnocks: 0, doneKnocks: [:], needsOpened: 0, needsResolved: 0,
                    needsOverdue: 0, meanHoursToResolve: nil, meanSatisfaction: nil
                ))
            })
            func perGrid(_ table: String, _ aggregates: [String: any SQLExpression], by extra: String? = nil, _ narrow: (SQLSelectBuilder) -> Void) async throws -> [any SQLRow] {
                let select = database.select().column("grid_id").from(table).within(scope)
                if let extra { select.column(extra) }
                for (name, aggregate) in aggregates { select.column(aggregate, as: name) }
                narrow(select)
                select.groupBy("grid_id")
                if let extra { select.groupBy(extra) }
                return try await select.all()
            }
            func between(_ column: String) -> (SQLSelectBuilder) -> Void {
                { $0.where(column, .greaterThanOrEqual, start).where(column, .lessThan, end) }
            }
            let count = SQLFunction("COUNT", args: SQLLiteral.all)
            func sum(_ expression: any SQLExpression) -> any SQLExpression {
                SQLFunction("COALESCE", args: SQLBigintCast(expression: SQLFunction("SUM", args: expression)), SQLLiteral.numeric("0"))
            }

            for row in try await perGrid(CommunityTables.households, ["n": count], { _ in }) {
                rows[try row.string("grid_id")]?.households = try row.int("n")
            }
            let visited = SQLFunction("COUNT", args: SQLDistinct(SQLColumn("household_id")))
            for row in try await perGrid(CommunityTables.visits, ["n": visited], between("at")) {
                rows[try row.string("grid_id")]?.householdsVisited = try row.int("n")
            }
            for row in try await perGrid(CommunityTables.visits, ["n": count], by: "channel", between("at")) {
                rows[try row.string("grid_id")]?.doneKnocks[try row.value("channel", as: Channel.self)] = try row.int("n")
            }
            let planned = try await perGrid(CommunityTables.planKnocks, ["n": count]) {
                $0.where("day", .greaterThanOrEqual, from.description).where("day", .lessThanOrEqual, to.description)
            }
            for row in planned {
                rows[try row.string("grid_id")]?.plannedKnocks = try row.int("n")
            }
            for row in try await perGrid(CommunityTables.needs, ["n": count], between("raised_at")) {
                rows[try row.string("grid_id")]?.needsOpened = try row.int("n")
            }
            let taken = SQLBinaryExpression(SQLColumn("resolved_at"), .subtract, SQLColumn("raised_at"))
            for row in try await perGrid(CommunityTables.needs, ["n": count, "ms": sum(taken)], between("resolved_at")) {
                let grid = try row.string("grid_id")
                let resolved = try row.int("n")
                rows[grid]?.needsResolved = resolved
                rows[grid]?.meanHoursToResolve = resolved == 0 ? nil : Double(try row.int("ms")) / Double(resolved) / 3_600_000
            }
            let overdue = try await perGrid(CommunityTables.needs, ["n": count]) {
                $0.where(SQLExpressions.isIn(SQLColumn("status"), CommunityTables.activeStatuses)).where("due_at", .lessThan, overdueBefore)
            }
            for row in overdue {
                rows[try row.string("grid_id")]?.needsOverdue = try row.int("n")
            }
            let satisfied = try await perGrid(CommunityTables.needs, ["n": count, "total": sum(SQLColumn("satisfaction"))]) {
                between("followed_up_at")($0)
                $0.where(SQLColumn("satisfaction"), .isNot, SQLLiteral.null)
            }
            for row in satisfied {
                let followedUp = try row.int("n")
                rows[try row.string("grid_id")]?.meanSatisfaction = followedUp == 0 ? nil : Double(try row.int("total")) / Double(followedUp)
            }
            return grids.compactMap { rows[$0] }
        }
    }
}
