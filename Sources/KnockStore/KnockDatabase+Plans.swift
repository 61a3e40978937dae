import Foundation
import KnockDomain
import SQLKit

/// Knocks for a day: those methods scheduled (through suggestions), and the day's plan as
/// saved, which coverage counts as planned.
extension KnockDatabase {
    /// The knocks scheduled for `day` in `scope`, one per reason, each with the provenance of
    /// the method that scheduled it; by grid, then priority (highest first), then resident.
    /// - Parameters:
    ///   - day: The day.
    ///   - scope: Whose knocks.
    /// - Returns: The scheduled knocks.
    /// - Throws: ``StoreError`` if the database fails.
    public func scheduledKnocks(day: CalendarDay, scope: Scope) async throws -> [PlannedKnock] {
        try await communityRead("reading the knocks scheduled for \(day)") { database in
            let rows = try await database.select()
                .columns("day", "resident_id", "household_id", "grid_id", "community_id", "member_id", "channel", "priority", "why", "suggested_by")
                .from(CommunityTables.scheduledKnocks)
                .where("day", .equal, day.description)
                .within(scope)
                .orderBy("grid_id").orderBy("priority", .descending).orderBy("resident_id").orderBy("id")
                .all()
            return try rows.map { row in
                try Self.knock(from: row, reasons: [
                    PlannedKnock.Reason(why: try row.string("why"), suggestedBy: try row.provenance("suggested_by")),
                ])
            }
        }
    }

    /// Saves the plan for `day` within `scope`: replaces every knock saved for that day in the
    /// scope's grids with `knocks`, in one write. Each knock is placed where its resident lives.
    /// - Parameters:
    ///   - day: The day.
    ///   - scope: The grids whose plan this is.
    ///   - knocks: The plan's knocks, at most one per resident, each placed at its resident's
    ///     household, grid and community (as ``KnockPlanner`` makes them); a knock without its
    ///     household or grid is placed where its resident lives.
    /// - Throws: ``DomainError`` `invalidArgument` for a knock of another day or a resident
    ///   given twice; `notFound` for an unknown resident (of a knock without its place), a grid
    ///   that does not exist or is not in the knock's community; `outOfScope` for a knock outside `scope`. ``StoreError`` if the database fails. On any error nothing changed.
    public func savePlan(day: CalendarDay, scope: Scope, knocks: [PlannedKnock]) async throws {
        var residentIDs: Set<String> = []
        for knock in knocks {
            guard knock.day == day else {
                throw DomainError(.invalidArgument, "the knock on resident \(knock.residentID) is for \(knock.day), not \(day)")
            }
            guard residentIDs.insert(knock.residentID).inserted else {
                throw DomainError(.invalidArgument, "resident \(knock.residentID) is planned twice for \(day)")
            }
            for reason in knock.reasons {
                try Validation.text(reason.why, what: "reason to knock on resident \(knock.residentID)")
            }
        }
        // The reasons' JSON, written before the transaction: a district's plan has tens of
        // thousands of knocks, and encoding them while holding the writing connection held every
        // other write back.
        let reasons = knocks.map { StoredJSON.reasons($0.reasons) }
        try await communityWrite("saving the plan for \(day)") { database in
            try await database.holdLocks(["plan.\(day)"])
            // Each knock carries its household, grid and community (from its resident, as the
            // planner made it); the street comes from the grid. Reading the grids, not every
            // resident again, keeps a district's plan (tens of thousands of knocks) quick.
            let grids = try await CommunityTables.gridPlaces(ids: nil, on: database)
            // Knocks given without their place are placed where their resident lives.
            let unplaced = knocks.filter { $0.gridID.isEmpty || $0.householdID.isEmpty }.map(\.residentID)
            let homes = unplaced.isEmpty ? [:] : try await CommunityTables.residentHomes(ids: unplaced, within: nil, on: database)
            let rows = try knocks.enumerated().map { position, given -> [any SQLExpression] in
                var knock = given
                if knock.gridID.isEmpty || knock.householdID.isEmpty {
                    guard let home = homes[knock.residentID] else {
                        throw DomainError(.notFound, "resident \(knock.residentID) not found")
                    }
                    knock.householdID = home.householdID
                    knock.gridID = home.place.gridID
                    knock.communityID = home.place.communityID
                }
                guard let grid = grids[knock.gridID], grid.communityID == knock.communityID else {
                    throw DomainError(.notFound, "the knock on resident \(knock.residentID) names grid \(knock.gridID) of \(knock.communityID), which does not exist")
                }
                guard scope.contains(grid) else {
                    throw DomainError(.outOfScope, "resident \(knock.residentID) lies outside \(scope)")
                }
                return [
                    SQLBind(day.description), SQLBind(knock.residentID), SQLBind(knock.householdID), SQLBind(grid.streetID),
                    SQLBind(grid.communityID), SQLBind(grid.gridID), SQLExpressions.nullable(knock.memberID),
                    SQLBind(knock.channel.rawValue), SQLBind(Int64(knock.priority)), SQLBind(reasons[position]),
                    SQLBind(Int64(position)),
                ]
            }
            try await database.delete(from: CommunityTables.planKnocks).where("day", .equal, day.description).within(scope).run()
            for chunk in CommunityTables.chunks(of: rows) {
                try await database.raw("\(unsafeRaw: Self.insertPlanKnocks)\(SQLList(chunk.map(SQLText.row)))").run()
            }
        }
    }

    /// The plan saved for `day` within `scope`: by grid, each grid's knocks in the order saved.
    /// - Parameters:
    ///   - day: The day.
    ///   - scope: Whose knocks.
    /// - Returns: The saved knocks.
    /// - Throws: ``StoreError`` if the database fails.
    public func savedPlan(day: CalendarDay, scope: Scope) async throws -> [PlannedKnock] {
        try await communityRead("reading the plan saved for \(day)") { database in
            let rows = try await database.select()
                .columns("day", "resident_id", "household_id", "grid_id", "community_id", "member_id", "channel", "priority", "reasons")
                .from(CommunityTables.planKnocks)
                .where("day", .equal, day.description)
                .within(scope)
                .orderBy("grid_id").orderBy("position")
                .all()
            return try rows.map { try Self.knock(from: $0, reasons: $0.json("reasons", as: [PlannedKnock.Reason].self)) }
        }
    }

    private static func knock(from row: any SQLRow, reasons: [PlannedKnock.Reason]) throws -> PlannedKnock {
        PlannedKnock(
            day: try row.day("day"), residentID: try row.string("resident_id"), householdID: try row.string("household_id"),
            gridID: try row.string("grid_id"), communityID: try row.string("community_id"), memberID: try row.optionalString("member_id"),
            channel: try row.value("channel", as: Channel.self), priority: try row.int("priority"), reasons: reasons
        )
    }

    /// `INSERT INTO "knock_plan_knocks" (…) VALUES `, written once.
    private static let insertPlanKnocks = SQLText.insert(into: CommunityTables.planKnocks, columns: [
        "day", "resident_id", "household_id", "street_id", "community_id", "grid_id", "member_id", "channel",
        "priority", "reasons", "position",
    ])
}
