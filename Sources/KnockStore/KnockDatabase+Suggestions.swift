import Foundation
import KnockDomain
import SQLKit

/// Methods' suggestions applied to the community core: needs raised, key persons flagged and
/// unflagged, knocks scheduled, alerts raised, residents referred to a module. Each record made
/// keeps the suggesting method as its provenance; a suggestion repeating what is there is
/// dropped as a duplicate.
extension KnockDatabase {
    /// Applies suggestions in order, in one write. A suggestion that cannot be applied is
    /// rejected with its reason, not thrown: the others still apply.
    ///
    /// Duplicates: a need when an active need of the same resident and category exists; a flag
    /// when the resident's entry has that reason; a scheduled knock when each of its reasons is
    /// scheduled for that resident and day by the same method; an alert when an open alert of
    /// the resident has the same message; a referral when an open referral of the resident to
    /// that module exists.
    /// - Parameters:
    ///   - suggestions: What methods suggested (each with its provenance, set by the host).
    ///   - visitID: The visit they came from, if any (kept on needs, knocks and referrals).
    ///   - at: When they are applied (the records' times).
    ///   - lifecycle: The need rules (due times of raised needs).
    /// - Returns: One outcome per suggestion, in order.
    /// - Throws: ``StoreError`` if the database fails; then nothing was applied.
    public func apply(_ suggestions: [Suggestion], visitID: String?, at: Date, lifecycle: NeedLifecycle) async throws -> [AppliedSuggestion] {
        guard !suggestions.isEmpty else { return [] }
        let at = at.storedPrecision
        // Most suggestions repeat what is stored (a method raises the same need on every visit
        // until it is met): read first, on a reading connection, and leave the one writer alone
        // when nothing is left to write. Answering from that read is answering as of that moment.
        let settled = try await communityRead("reading \(suggestions.count) suggestions") { database in
            try await Self.outcomes(of: suggestions, visitID: visitID, at: at, lifecycle: lifecycle, writing: false, on: database)
        }
        if let settled { return settled }
        // Each suggestion refuses before writing, and its refusal is its outcome: the write as a
        // whole only fails with the database, so it needs no savepoint.
        return try await communityWrite("applying \(suggestions.count) suggestions", isolation: .refusesBeforeWriting) { database in
            try await database.holdLocks(suggestions.map { "resident." + $0.residentID })
            // Writing: every suggestion gets an outcome.
            return try await Self.outcomes(of: suggestions, visitID: visitID, at: at, lifecycle: lifecycle, writing: true, on: database) ?? []
        }
    }

    /// Each suggestion's outcome. Without `writing`, only reads: `nil` as soon as a suggestion
    /// would write something.
    private static func outcomes(
        of suggestions: [Suggestion], visitID: String?, at: Date, lifecycle: NeedLifecycle, writing: Bool, on database: any SQLDatabase
    ) async throws -> [AppliedSuggestion]? {
        let residents = try await CommunityTables.residents(ids: suggestions.map(\.residentID), within: nil, on: database)
        var applied: [AppliedSuggestion] = []
        for suggestion in suggestions {
            let outcome: AppliedSuggestion.Outcome
            if let resident = residents[suggestion.residentID] {
                do {
                    if let existing = try await existing(suggestion, of: resident, lifecycle: lifecycle, at: at, on: database) {
                        outcome = .duplicate(existingID: existing)
                    } else if writing {
                        outcome = .applied(id: try await write(suggestion, to: resident, visitID: visitID, at: at, lifecycle: lifecycle, on: database))
                    } else {
                        return nil
                    }
                } catch let error as DomainError {
                    outcome = .rejected(reason: error.message)
                }
            } else {
                outcome = .rejected(reason: "resident \(suggestion.residentID) not found")
            }
            applied.append(AppliedSuggestion(suggestion: suggestion, outcome: outcome))
        }
        return applied
    }

    /// What a suggestion about `resident` repeats: the id of the record it duplicates, or `nil`
    /// if applying it writes something. Only reads.
    /// - Throws: ``DomainError`` for a suggestion that cannot be applied.
    private static func existing(
        _ suggestion: Suggestion, of resident: Resident, lifecycle: NeedLifecycle, at: Date, on database: any SQLDatabase
    ) async throws -> String? {
        switch suggestion.kind {
        case .raiseNeed(_, let category, let urgency, let summary, let ownerModule):
            let need = try lifecycle.raise(
                id: newID(), resident: resident, category: category, urgency: urgency, summary: summary,
                owner: ownerModule.map(NeedOwner.module), by: suggestion.suggestedBy, visitID: nil, at: at
            )
            try checkNeed(need)
            return try await firstID(of: CommunityTables.needs, on: database, where: [
                equal("resident_id", resident.id), equal("category", need.category),
                SQLExpressions.isIn(SQLColumn("status"), CommunityTables.activeStatuses),
            ])

        case .flagKeyPerson(_, let reason, let cadenceDays, _):
            try checkFlag(reason: reason, cadenceDays: cadenceDays)
            return try await hasReason(reason, resident, on: database) ? resident.id : nil

        case .unflagKeyPerson(_, let reason):
            // Nothing to remove is nothing to do.
            return try await hasReason(reason, resident, on: database) ? nil : resident.id

        case .scheduleKnock(let knock):
            guard !knock.reasons.isEmpty else {
                throw DomainError(.invalidArgument, "a scheduled knock needs a reason")
            }
            for reason in knock.reasons {
                try Validation.text(reason.why, what: "reason to knock", allowsEmpty: false)
            }
            var first: String?
            for why in Set(knock.reasons.map(\.why)).sorted() {
                guard let existing = try await scheduledKnock(of: resident, day: knock.day, why: why, by: suggestion.suggestedBy, on: database) else {
                    return nil
                }
                first = first ?? existing
            }
            return first

        case .raiseAlert(_, _, let message):
            try Validation.text(message, what: "alert message", allowsEmpty: false)
            return try await firstID(of: CommunityTables.alerts, on: database, where: [
                equal("resident_id", resident.id), equal("message", message), SQLBinaryExpression(SQLColumn("acknowledged_at"), .is, SQLLiteral.null),
            ])

        case .refer(_, let module, let note):
            try Validation.id(module, what: "module referred to")
            try Validation.text(note, what: "referral note")
            return try await firstID(of: CommunityTables.referrals, on: database, where: [
                equal("resident_id", resident.id), equal("to_module", module), SQLBinaryExpression(SQLColumn("closed_at"), .is, SQLLiteral.null),
            ])
        }
    }

    /// Applies a suggestion about `resident` that ``existing(_:of:lifecycle:at:on:)`` found
    /// repeats nothing.
    /// - Returns: The id of the record made (the resident's, for key-person changes).
    private static func write(
        _ suggestion: Suggestion, to resident: Resident, visitID: String?, at: Date, lifecycle: NeedLifecycle,
        on database: any SQLDatabase
    ) async throws -> String {
        let by = suggestion.suggestedBy
        switch suggestion.kind {
        case .raiseNeed(_, let category, let urgency, let summary, let ownerModule):
            let need = try lifecycle.raise(
                id: newID(), resident: resident, category: category, urgency: urgency, summary: summary,
                owner: ownerModule.map(NeedOwner.module), by: by, visitID: visitID, at: at
            )
            return try await insertNeed(need, of: resident, freshID: true, on: database).id

        case .flagKeyPerson(_, let reason, let cadenceDays, let until):
            try await CommunityTables.flag(resident, reason: reason, cadenceDays: cadenceDays, flaggedBy: by, since: at, until: until, on: database)
            return resident.id

        case .unflagKeyPerson(_, let reason):
            _ = try await CommunityTables.unflag(residentID: resident.id, reason: reason, on: database)
            return resident.id

        case .scheduleKnock(let knock):
            return try await schedule(knock, of: resident, by: by, visitID: visitID, at: at, on: database)

        case .raiseAlert(_, let urgency, let message):
            let alert = placed(
                Alert(id: newID(), residentID: resident.id, gridID: "", communityID: "", streetID: "", urgency: urgency,
                      message: message, raisedBy: by, raisedAt: at),
                at: resident
            )
            try await insertAlert(alert, on: database)
            return alert.id

        case .refer(_, let module, let note):
            let id = newID()
            try await database.insert(into: CommunityTables.referrals)
                .columns("id", "resident_id", "street_id", "community_id", "grid_id", "to_module", "note", "suggested_by", "visit_id", "created_at")
                .values(
                    SQLBind(id), SQLBind(resident.id), SQLBind(resident.streetID), SQLBind(resident.communityID), SQLBind(resident.gridID),
                    SQLBind(module), SQLBind(note), SQLBind(by.text), SQLExpressions.nullable(visitID), SQLBind(at.milliseconds)
                )
                .run()
            return id
        }
    }

    /// Whether `resident`'s key-persons entry has `reason`.
    private static func hasReason(_ reason: String, _ resident: Resident, on database: any SQLDatabase) async throws -> Bool {
        try await database.select().column("reason").from(CommunityTables.keyPersonReasons)
            .where("resident_id", .equal, resident.id).where("reason", .equal, reason).first() != nil
    }

    /// The knock scheduled for `resident` on `day` for `why` by `by`, if any.
    private static func scheduledKnock(of resident: Resident, day: CalendarDay, why: String, by: Provenance, on database: any SQLDatabase) async throws -> String? {
        try await firstID(of: CommunityTables.scheduledKnocks, on: database, where: [
            equal("resident_id", resident.id), equal("day", day.description), equal("why", why), equal("suggested_by", by.text),
        ])
    }

    /// Schedules a knock on `resident`, one row per reason not scheduled already.
    /// - Returns: The id of the first row made.
    private static func schedule(
        _ knock: PlannedKnock, of resident: Resident, by: Provenance, visitID: String?, at: Date, on database: any SQLDatabase
    ) async throws -> String {
        var firstNew: String?
        var firstExisting: String?
        for why in Set(knock.reasons.map(\.why)).sorted() {
            if let existing = try await scheduledKnock(of: resident, day: knock.day, why: why, by: by, on: database) {
                firstExisting = firstExisting ?? existing
                continue
            }
            let id = newID()
            try await database.insert(into: CommunityTables.scheduledKnocks)
                .columns(
                    "id", "day", "resident_id", "household_id", "street_id", "community_id", "grid_id", "member_id", "channel", "priority",
                    "why", "suggested_by", "visit_id", "created_at"
                )
                .values(
                    SQLBind(id), SQLBind(knock.day.description), SQLBind(resident.id), SQLBind(resident.householdID),
                    SQLBind(resident.streetID), SQLBind(resident.communityID), SQLBind(resident.gridID),
                    SQLExpressions.nullable(knock.memberID), SQLBind(knock.channel.rawValue), SQLBind(Int64(knock.priority)),
                    SQLBind(why), SQLBind(by.text), SQLExpressions.nullable(visitID), SQLBind(at.milliseconds)
                )
                .run()
            firstNew = firstNew ?? id
        }
        return firstNew ?? firstExisting ?? ""
    }

    /// The first id (in id order) of the rows of `table` meeting every condition.
    private static func firstID(of table: String, on database: any SQLDatabase, where conditions: [any SQLExpression]) async throws -> String? {
        let query: SQLQueryString = """
            SELECT "id" FROM \(unsafeRaw: SQLText.quoted(table)) WHERE \(SQLList(conditions, separator: SQLRaw(" AND "))) ORDER BY "id" LIMIT 1
            """
        return try await database.raw(query).first().map { try $0.string("id") }
    }

    /// `column = value`.
    private static func equal(_ column: String, _ value: String) -> any SQLExpression {
        SQLBinaryExpression(SQLRaw(SQLText.quoted(column)), .equal, SQLBind(value))
    }

    /// A new record id.
    private static func newID() -> String {
        UUID().uuidString.lowercased()
    }
}
