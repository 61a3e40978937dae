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
    /// scheduled for that resident and day by the same method; an alert with an id when an alert
    /// about the resident has that id (rejected if the alert with it is about another
    /// resident), one without when an open alert of the resident has the same message; a
    /// referral when an open referral of the resident to
    /// that module exists.
    /// - Parameters:
    ///   - suggestions: What methods suggested (each with its provenance, set by the host).
    ///   - visitID: The visit they came from, if any (kept on needs, knocks and referrals).
    ///   - at: When they are applied (the records' times).
    ///   - lifecycle: The need rules (due times of raised needs).
    ///   - known: Residents the caller has just read (the visited resident): the first,
    ///     read-only look takes them as they are instead of reading them again. A write reads
    ///     every resident afresh.
    ///   - knownNeeds: Active needs the caller has just read, by resident, then category (the
    ///     first id of each: ``WrittenVisit/activeNeeds``): the first look checks a raised need
    ///     of those residents against them instead of reading. A write checks afresh.
    /// - Returns: One outcome per suggestion, in order.
    /// - Throws: ``StoreError`` if the database fails; then nothing was applied.
    public func apply(
        _ suggestions: [Suggestion], visitID: String?, at: Date, lifecycle: NeedLifecycle, known: [Resident] = [],
        knownNeeds: [String: [String: String]] = [:]
    ) async throws -> [AppliedSuggestion] {
        guard !suggestions.isEmpty else { return [] }
        let at = at.storedPrecision
        // Most suggestions repeat what is stored (a method raises the same need on every visit
        // until it is met). Needs raised again for the visited resident are settled by the
        // active needs read with the visit, without reading at all.
        if let settled = try await Self.outcomes(of: suggestions, visitID: visitID, at: at, lifecycle: lifecycle, writing: false, known: known, knownNeeds: knownNeeds, on: nil) {
            return settled
        }
        // Else read first, on a reading connection, and leave the one writer alone when nothing
        // is left to write. Answering from that read is answering as of that moment. Not when a
        // method names an alert: it names each alert once, so there is one to write (unless
        // retried), and the read would only come before the write.
        if !suggestions.contains(where: { $0.alertID != nil }) {
            let settled = try await communityRead("reading \(suggestions.count) suggestions") { database in
                try await Self.outcomes(of: suggestions, visitID: visitID, at: at, lifecycle: lifecycle, writing: false, known: known, knownNeeds: knownNeeds, on: database)
            }
            if let settled { return settled }
        }
        // Each suggestion refuses before writing, and its refusal is its outcome: the write as a
        // whole only fails with the database, so it needs no savepoint.
        return try await communityWrite("applying \(suggestions.count) suggestions", isolation: .refusesBeforeWriting) { database in
            // A method's alert id, like a resident, is one writer's at a time (two methods naming
            // one id for different residents: one is written, the other finds it taken).
            try await database.holdLocks(suggestions.map { "resident." + $0.residentID } + suggestions.compactMap(\.alertID).map { "alert." + $0 })
            // Writing: every suggestion gets an outcome.
            return try await Self.outcomes(of: suggestions, visitID: visitID, at: at, lifecycle: lifecycle, writing: true, on: database) ?? []
        }
    }

    /// Each suggestion's outcome. Without `writing`, only reads: `nil` as soon as a suggestion
    /// would write something. Residents in `known` are not read again, nor the active needs of
    /// those in `knownNeeds`; without a `database`, nothing is read: `nil` as soon as a
    /// suggestion needs reading (every one settled means every one is a need raised again that
    /// repeats one of `knownNeeds`, or is refused).
    private static func outcomes(
        of suggestions: [Suggestion], visitID: String?, at: Date, lifecycle: NeedLifecycle, writing: Bool,
        known: [Resident] = [], knownNeeds: [String: [String: String]] = [:], on database: (any SQLDatabase)?
    ) async throws -> [AppliedSuggestion]? {
        var residents = known.reduce(into: [String: Resident]()) { $0[$1.id] = $1 }
        let unread = Set(suggestions.map(\.residentID)).subtracting(residents.keys)
        if !unread.isEmpty {
            guard let database else { return nil }
            residents.merge(try await CommunityTables.residents(ids: Array(unread), within: nil, on: database)) { known, _ in known }
        }
        var applied: [AppliedSuggestion] = []
        for suggestion in suggestions {
            let outcome: AppliedSuggestion.Outcome
            if let resident = residents[suggestion.residentID] {
                do {
                    let found: Check
                    if let known = try knownNeedCheck(suggestion, of: resident, visitID: visitID, at: at, lifecycle: lifecycle, activeNeeds: knownNeeds[resident.id]) {
                        found = known
                    } else if let database {
                        found = try await check(suggestion, of: resident, visitID: visitID, at: at, lifecycle: lifecycle, on: database)
                    } else {
                        return nil
                    }
                    switch found {
                    case .duplicate(let existing):
                        outcome = .duplicate(existingID: existing)
                    case .write(let pending):
                        guard writing, let database else { return nil }
                        outcome = .applied(id: try await write(pending, to: resident, by: suggestion.suggestedBy, visitID: visitID, at: at, on: database))
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

    /// What applying a suggestion comes to, as far as reading tells.
    private enum Check {
        /// It repeats this record.
        case duplicate(String)
        /// It writes this.
        case write(Pending)
    }

    /// A checked suggestion's write, with what the check made of it.
    private enum Pending {
        /// The need raised, to insert.
        case need(Need)
        case flag(reason: String, cadenceDays: Int, until: Date?)
        case unflag(reason: String)
        /// The knock's reasons not scheduled yet, in order.
        case knock(PlannedKnock, reasons: [String])
        /// `id`: the method's, or `nil` for a new one.
        case alert(urgency: Urgency, message: String, id: String?)
        case refer(module: String, note: String)
    }

    /// The need `suggestion` raises (its category, urgency, summary and owning module), checked.
    /// - Throws: ``DomainError`` for a need that cannot be raised.
    private static func raisedNeed(
        _ category: String, _ urgency: Urgency, _ summary: String, _ ownerModule: String?, by suggestion: Suggestion, of resident: Resident,
        visitID: String?, at: Date, lifecycle: NeedLifecycle
    ) throws -> Need {
        let need = try lifecycle.raise(
            id: newID(), resident: resident, category: category, urgency: urgency, summary: summary,
            owner: ownerModule.map(NeedOwner.module), by: suggestion.suggestedBy, visitID: visitID, at: at
        )
        try checkNeed(need)
        return need
    }

    /// A need raised again checked against the resident's active needs read before
    /// (`activeNeeds`: by category, the first id of each), without reading; `nil` for another
    /// suggestion, or without them.
    /// - Throws: ``DomainError`` for a need that cannot be raised.
    private static func knownNeedCheck(
        _ suggestion: Suggestion, of resident: Resident, visitID: String?, at: Date, lifecycle: NeedLifecycle, activeNeeds: [String: String]?
    ) throws -> Check? {
        guard case .raiseNeed(_, let category, let urgency, let summary, let ownerModule) = suggestion.kind, let activeNeeds else { return nil }
        let need = try raisedNeed(category, urgency, summary, ownerModule, by: suggestion, of: resident, visitID: visitID, at: at, lifecycle: lifecycle)
        return activeNeeds[need.category].map(Check.duplicate) ?? .write(.need(need))
    }

    /// Whether a suggestion about `resident` repeats what is stored, and if not, what writing it
    /// needs. Only reads.
    /// - Throws: ``DomainError`` for a suggestion that cannot be applied.
    private static func check(
        _ suggestion: Suggestion, of resident: Resident, visitID: String?, at: Date, lifecycle: NeedLifecycle, on database: any SQLDatabase
    ) async throws -> Check {
        func duplicate(_ existing: String?, else pending: Pending) -> Check {
            existing.map(Check.duplicate) ?? .write(pending)
        }
        switch suggestion.kind {
        case .raiseNeed(_, let category, let urgency, let summary, let ownerModule):
            let need = try raisedNeed(category, urgency, summary, ownerModule, by: suggestion, of: resident, visitID: visitID, at: at, lifecycle: lifecycle)
            return duplicate(try await firstID(of: CommunityTables.needs, on: database, where: [
                equal("resident_id", resident.id), equal("category", need.category),
                SQLExpressions.isIn(SQLColumn("status"), CommunityTables.activeStatuses),
            ]), else: .need(need))

        case .flagKeyPerson(_, let reason, let cadenceDays, let until):
            try checkFlag(reason: reason, cadenceDays: cadenceDays, until: until, at: at)
            return duplicate(try await hasReason(reason, resident, on: database) ? resident.id : nil,
                             else: .flag(reason: reason, cadenceDays: cadenceDays, until: until))

        case .unflagKeyPerson(_, let reason):
            // Nothing to remove is nothing to do.
            return duplicate(try await hasReason(reason, resident, on: database) ? nil : resident.id, else: .unflag(reason: reason))

        case .scheduleKnock(let knock):
            guard !knock.reasons.isEmpty else {
                throw DomainError(.invalidArgument, "a scheduled knock needs a reason")
            }
            for reason in knock.reasons {
                try Validation.text(reason.why, what: "reason to knock", allowsEmpty: false)
            }
            var first: String?
            var unscheduled: [String] = []
            for why in Set(knock.reasons.map(\.why)).sorted() {
                if let existing = try await firstID(of: CommunityTables.scheduledKnocks, on: database, where: [
                    equal("resident_id", resident.id), equal("day", knock.day.description), equal("why", why),
                    equal("suggested_by", suggestion.suggestedBy.text),
                ]) {
                    first = first ?? existing
                } else {
                    unscheduled.append(why)
                }
            }
            return unscheduled.isEmpty ? .duplicate(first ?? "") : .write(.knock(knock, reasons: unscheduled))

        case .raiseAlert(_, let urgency, let message, let id?):
            try Validation.text(message, what: "alert message", allowsEmpty: false)
            try Validation.id(id, what: "alert id")
            let existing = try await database.select().column("resident_id").from(CommunityTables.alerts).where("id", .equal, id).first()
            guard let existing else { return .write(.alert(urgency: urgency, message: message, id: id)) }
            guard try existing.string("resident_id") == resident.id else {
                throw DomainError(.alreadyExists, "alert id \(id) is taken by an alert about another resident")
            }
            return .duplicate(id)

        case .raiseAlert(_, let urgency, let message, nil):
            try Validation.text(message, what: "alert message", allowsEmpty: false)
            return duplicate(try await firstID(of: CommunityTables.alerts, on: database, where: [
                equal("resident_id", resident.id), equal("message", message), SQLBinaryExpression(SQLColumn("acknowledged_at"), .is, SQLLiteral.null),
            ]), else: .alert(urgency: urgency, message: message, id: nil))

        case .refer(_, let module, let note):
            try Validation.id(module, what: "module referred to")
            try Validation.text(note, what: "referral note")
            return duplicate(try await firstID(of: CommunityTables.referrals, on: database, where: [
                equal("resident_id", resident.id), equal("to_module", module), SQLBinaryExpression(SQLColumn("closed_at"), .is, SQLLiteral.null),
            ]), else: .refer(module: module, note: note))
        }
    }

    /// Writes what ``check(_:of:visitID:at:lifecycle:on:)`` found a suggestion by `by` about
    /// `resident` comes to.
    /// - Returns: The id of the record made (the resident's, for key-person changes).
    private static func write(
        _ pending: Pending, to resident: Resident, by: Provenance, visitID: String?, at: Date, on database: any SQLDatabase
    ) async throws -> String {
        switch pending {
        case .need(let need):
            return try await insertNeed(need, of: resident, freshID: true, on: database).id

        case .flag(let reason, let cadenceDays, let until):
            try await CommunityTables.flag(resident, reason: reason, cadenceDays: cadenceDays, flaggedBy: by, since: at, until: until, on: database)
            return resident.id

        case .unflag(let reason):
            _ = try await CommunityTables.unflag(residentID: resident.id, reason: reason, on: database)
            return resident.id

        case .knock(let knock, let reasons):
            return try await schedule(knock, reasons: reasons, of: resident, by: by, visitID: visitID, at: at, on: database)

        case .alert(let urgency, let message, let id):
            let alert = placed(
                Alert(id: id ?? newID(), residentID: resident.id, gridID: "", communityID: "", streetID: "", urgency: urgency,
                      message: message, raisedBy: by, raisedAt: at),
                at: resident
            )
            try await insertAlert(alert, on: database)
            return alert.id

        case .refer(let module, let note):
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

    /// Schedules a knock on `resident`, one row for each of `reasons` (those not scheduled yet).
    /// - Returns: The id of the first row made.
    private static func schedule(
        _ knock: PlannedKnock, reasons: [String], of resident: Resident, by: Provenance, visitID: String?, at: Date, on database: any SQLDatabase
    ) async throws -> String {
        var first: String?
        for why in reasons {
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
            first = first ?? id
        }
        return first ?? ""
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

extension Suggestion {
    /// The method's id of the alert it raises, if it names one.
    var alertID: String? {
        if case .raiseAlert(_, _, _, let id) = kind { return id }
        return nil
    }
}
