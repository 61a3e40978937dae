import Foundation
import KnockDomain
import SQLKit

/// The key-persons list's rows: one entry per resident, one row per reason (each with its own
/// cadence; the entry's cadence is the shortest of its reasons').
extension CommunityTables {
    private static let entryColumns = [
        "resident_id", "household_id", "street_id", "community_id", "grid_id", "cadence_days", "assigned_member_id", "last_knock_at",
    ]
    private static let reasonColumns = ["reason", "cadence_days", "flagged_by", "since", "until"]

    /// A select of entries with their reasons, one row per reason, in resident order; the
    /// entries table is aliased `k`. Add conditions, then read it with ``keyPersons(_:)``.
    static func keyPersonsSelect(on database: any SQLDatabase) -> SQLSelectBuilder {
        database.select()
            .columns(entryColumns.map { SQLColumn($0, table: "k") })
            .columns(reasonColumns.map { SQLAlias(SQLColumn($0, table: "r"), as: SQLIdentifier("reason_" + $0)) })
            .from(SQLAlias(SQLIdentifier(keyPersons), as: SQLIdentifier("k")))
            .join(
                SQLAlias(SQLIdentifier(keyPersonReasons), as: SQLIdentifier("r")), method: SQLJoinMethod.inner,
                on: SQLBinaryExpression(SQLColumn("resident_id", table: "r"), .equal, SQLColumn("resident_id", table: "k"))
            )
            .orderBy(SQLColumn("resident_id", table: "k")).orderBy(SQLColumn("since", table: "r")).orderBy(SQLColumn("reason", table: "r"))
    }

    /// The entries a ``keyPersonsSelect(on:)`` selects, each with its reasons.
    static func keyPersons(_ select: SQLSelectBuilder) async throws -> [KeyPerson] {
        try keyPersons(rows: try await select.all())
    }

    /// The entries in rows shaped as ``keyPersonsSelect(on:)`` selects them (entry columns, the
    /// reason's as `reason_*`), one row per reason, in resident order.
    static func keyPersons(rows: [any SQLRow]) throws -> [KeyPerson] {
        var entries: [KeyPerson] = []
        for row in rows {
            let reason = KeyPersonReason(
                reason: try row.string("reason_reason"), flaggedBy: try row.provenance("reason_flagged_by"),
                since: try row.date("reason_since"), until: try row.optionalDate("reason_until")
            )
            let residentID = try row.string("resident_id")
            if entries.last?.residentID == residentID {
                entries[entries.count - 1].reasons.append(reason)
                continue
            }
            entries.append(KeyPerson(
                residentID: residentID, householdID: try row.string("household_id"), gridID: try row.string("grid_id"),
                communityID: try row.string("community_id"), streetID: try row.string("street_id"), reasons: [reason],
                cadenceDays: try row.int("cadence_days"), assignedMemberID: try row.optionalString("assigned_member_id"),
                lastKnockAt: try row.optionalDate("last_knock_at")
            ))
        }
        return entries
    }

    /// Moves the last knock of each resident in `lastKnocks` (by resident id) to its time,
    /// where the entry's is earlier or none, in one statement.
    static func moveLastKnocks(_ lastKnocks: [String: Date], on database: any SQLDatabase) async throws {
        guard !lastKnocks.isEmpty else { return }
        let knocks = lastKnocks.map { (residentID: $0.key, at: $0.value.milliseconds) }
        // CASE "resident_id" WHEN … THEN … END: each resident's new last knock.
        let whens = SQLList(knocks.map { knock -> any SQLExpression in
            let when: SQLQueryString = "WHEN \(bind: knock.residentID) THEN \(bind: knock.at)"
            return when
        }, separator: SQLRaw(" "))
        let newLastKnock: SQLQueryString = "CASE \"resident_id\" \(whens) END"
        try await database.raw("""
            UPDATE \(unsafeRaw: SQLText.quoted(keyPersons)) SET "last_knock_at" = \(newLastKnock) \
            WHERE "resident_id" IN (\(SQLList(knocks.map { SQLBind($0.residentID) }))) \
            AND ("last_knock_at" IS NULL OR "last_knock_at" < \(newLastKnock))
            """).run()
    }

    /// The entry of `residentID`, if the resident is on the list.
    static func keyPerson(residentID: String, on database: any SQLDatabase) async throws -> KeyPerson? {
        try await keyPersons(keyPersonsSelect(on: database).where(SQLColumn("resident_id", table: "k"), .equal, SQLBind(residentID))).first
    }

    /// Adds `reason` to the resident's entry (creating the entry, its last knock from the
    /// resident's visits), or replaces the reason's cadence and end; the entry's cadence follows.
    static func flag(
        _ resident: Resident, reason: String, cadenceDays: Int, flaggedBy: Provenance, since: Date, until: Date?,
        on database: any SQLDatabase
    ) async throws {
        let entryExists = try await database.select().column("resident_id").from(keyPersons)
            .where("resident_id", .equal, resident.id).first() != nil
        if !entryExists {
            let lastKnock = try await database.select()
                .column(SQLFunction("MAX", args: SQLColumn("at")), as: "last")
                .from(visits)
                .where("resident_id", .equal, resident.id)
                .where("outcome", .notEqual, Outcome.noAnswer.rawValue)
                .first()
            let lastKnockAt = try lastKnock.flatMap { try $0.decodeNil(column: "last") ? nil : $0.decode(column: "last", as: Int64.self) }
            try await database.insert(into: keyPersons)
                .columns(entryColumns)
                .values(
                    SQLBind(resident.id), SQLBind(resident.householdID), SQLBind(resident.streetID), SQLBind(resident.communityID),
                    SQLBind(resident.gridID), SQLBind(Int64(cadenceDays)), SQLLiteral.null, SQLExpressions.nullable(lastKnockAt)
                )
                .run()
        }
        try await database.insert(into: keyPersonReasons)
            .columns(["resident_id"] + reasonColumns)
            .values(
                SQLBind(resident.id), SQLBind(reason), SQLBind(Int64(cadenceDays)), SQLBind(flaggedBy.text),
                SQLBind(since.milliseconds), SQLExpressions.nullable(until?.milliseconds)
            )
            .onConflict(with: ["resident_id", "reason"]) { $0.set(excludedValueOf: "cadence_days").set(excludedValueOf: "until") }
            .run()
        try await updateCadence(residentID: resident.id, on: database)
    }

    /// Removes `reason` from the resident's entry, and the entry with its last reason.
    /// - Returns: Whether the reason was there.
    static func unflag(residentID: String, reason: String, on database: any SQLDatabase) async throws -> Bool {
        let removed = try await database.delete(from: keyPersonReasons)
            .where("resident_id", .equal, residentID).where("reason", .equal, reason)
            .returning("reason").first() != nil
        guard removed else { return false }
        try await settle(residentID: residentID, on: database)
        return true
    }

    /// Removes every reason whose end (`until`) is at or before `end`; each entry left without
    /// a reason leaves the list, the others' cadences follow their remaining reasons.
    /// - Returns: The reasons removed, by resident.
    static func endReasons(endedBy end: Date, on database: any SQLDatabase) async throws -> [String: [String]] {
        let rows = try await database.delete(from: keyPersonReasons)
            .where(endedBy(end))
            .returning("resident_id", "reason")
            .all()
        var ended: [String: [String]] = [:]
        for row in rows { ended[try row.string("resident_id"), default: []].append(try row.string("reason")) }
        for residentID in ended.keys.sorted() { try await settle(residentID: residentID, on: database) }
        return ended.mapValues { $0.sorted() }
    }

    /// After reasons of a resident were removed: the entry leaves the list with its last
    /// reason, or takes the shortest cadence of those left.
    private static func settle(residentID: String, on database: any SQLDatabase) async throws {
        let left = try await database.select().column("reason").from(keyPersonReasons).where("resident_id", .equal, residentID).first()
        if left == nil {
            try await database.delete(from: keyPersons).where("resident_id", .equal, residentID).run()
        } else {
            try await updateCadence(residentID: residentID, on: database)
        }
    }

    /// Whether some reason has ended by `end` (see ``endReasons(endedBy:on:)``).
    static func hasReasonEnded(by end: Date, on database: any SQLDatabase) async throws -> Bool {
        try await database.select().column("reason").from(keyPersonReasons)
            .where(endedBy(end))
            .limit(1)
            .first() != nil
    }

    /// A reason whose end is at or before `end` (one without an end never matches).
    private static func endedBy(_ end: Date) -> any SQLExpression {
        SQLBinaryExpression(SQLColumn("until"), .lessThanOrEqual, SQLBind(end.milliseconds))
    }

    /// Sets an entry's cadence to the shortest of its reasons'.
    private static func updateCadence(residentID: String, on database: any SQLDatabase) async throws {
        let shortest = database.select()
            .column(SQLFunction("MIN", args: SQLColumn("cadence_days")))
            .from(keyPersonReasons)
            .where("resident_id", .equal, residentID)
        try await database.update(keyPersons)
            .set(SQLIdentifier("cadence_days"), to: SQLGroupExpression(shortest.select))
            .where("resident_id", .equal, residentID)
            .run()
    }
}
