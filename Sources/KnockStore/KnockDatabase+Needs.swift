import Foundation
import KnockDomain
import SQLKit

/// The resident-needs list (居民需求清单): needs raised, worked through their lifecycle with
/// full history, listed within the caller's scope. Reads are audited.
extension KnockDatabase {
    /// Stores a new need with its history (a need as ``NeedLifecycle/raise(id:resident:category:urgency:summary:owner:by:visitID:at:)``
    /// builds it). Its place is taken from its resident as stored.
    /// - Parameter need: The need.
    /// - Returns: The need as stored (times to the millisecond).
    /// - Throws: ``DomainError`` `notFound` for an unknown resident; `alreadyExists` for an id
    ///   taken; `invalidArgument` for a malformed id or text or an empty history. ``StoreError``
    ///   if the database fails.
    @discardableResult
    public func raiseNeed(_ need: Need) async throws -> Need {
        try Self.checkNeed(need)
        return try await communityWrite("raising need \(need.id)") { database in
            let resident = try await CommunityTables.requireResident(id: need.residentID, within: nil, on: database)
            return try await Self.insertNeed(need, of: resident, on: database)
        }
    }

    /// The need `id` with its full history. Audited as `needs.get`.
    /// - Parameters:
    ///   - id: The need's id.
    ///   - caller: Who reads, within which scope, through which module.
    /// - Returns: The need.
    /// - Throws: ``DomainError`` `notFound` if there is none in the caller's scope (alike whether
    ///   it does not exist or lies outside); ``StoreError`` if the database fails.
    public func need(id: String, caller: Caller) async throws -> Need {
        try await auditedRead("needs.get", caller: caller) { database in
            let need = try await CommunityTables.requireNeed(id: id, within: caller.scope, on: database)
            return (need, [need.residentID])
        }
    }

    /// The needs in the caller's scope matching `filter`, in id order, a page at a time, each
    /// with its full history. Audited as `needs.list`.
    /// - Parameters:
    ///   - caller: Who reads, within which scope, through which module.
    ///   - filter: Which needs.
    ///   - limit: At most this many (1 to 1000).
    ///   - after: Only ids after this one: the previous page's ``NeedPage/nextAfter``.
    /// - Returns: The page.
    /// - Throws: ``DomainError`` `invalidArgument` for a limit out of range; ``StoreError`` if the
    ///   database fails.
    public func needs(caller: Caller, filter: NeedFilter = NeedFilter(), limit: Int = 100, after: String? = nil) async throws -> NeedPage {
        try Validation.limit(limit)
        return try await auditedRead("needs.list", caller: caller) { database in
            let select = Self.needsSelect(within: caller.scope, filter: filter, on: database)
            if let after {
                select.where("id", .greaterThan, after)
            }
            let needs = try await CommunityTables.needs(select.orderBy("id").limit(limit + 1), on: database)
            let page = Array(needs.prefix(limit))
            return (NeedPage(page, nextAfter: needs.count > limit ? page.last?.id : nil), page.map(\.residentID))
        }
    }

    /// Takes a step on a need: reads it, applies the lifecycle's rules, and writes the need with
    /// its new history event, in one write.
    /// - Parameters:
    ///   - id: The need's id.
    ///   - step: What is done.
    ///   - note: The reason or remark (required to decline or reopen).
    ///   - caller: Who does it, within which scope.
    ///   - at: When.
    ///   - lifecycle: The rules (and due policy, for a reopening).
    /// - Returns: The need after the step.
    /// - Throws: ``DomainError`` `notFound` if there is no such need in the caller's scope;
    ///   `invalidTransition` if the step is not allowed from the need's status; `invalidArgument`
    ///   for a missing reason or a satisfaction outside 1–5. ``StoreError`` if the database
    ///   fails. On any error nothing changed.
    public func transitionNeed(
        id: String, step: NeedLifecycle.Step, note: String = "", caller: Caller, at: Date, lifecycle: NeedLifecycle
    ) async throws -> Need {
        try Validation.text(note, what: "note")
        if case .assign(let owner) = step {
            try Validation.text(owner.text, what: "owner")
        }
        return try await communityWrite("taking step \(step.name) on need \(id)") { database in
            try await database.holdLocks(["need." + id])
            let stored = try await CommunityTables.requireNeed(id: id, within: caller.scope, on: database)
            let changed = try lifecycle.apply(step, to: stored, by: caller.provenance, note: note, at: at.storedPrecision)
            try await CommunityTables.update(changed, newEventsFrom: stored.history.count, on: database)
            return changed
        }
    }

    // MARK: Shared with suggestions

    /// Inserts `need`, placed where `resident` lives.
    /// - Parameters:
    ///   - need: The need.
    ///   - resident: Where it is placed.
    ///   - freshID: Whether the id was made just now (a UUID), so no check for a taken id.
    ///   - database: The transaction.
    /// - Returns: The need as stored.
    /// - Throws: ``DomainError`` `alreadyExists` if its id is taken.
    static func insertNeed(_ need: Need, of resident: Resident, freshID: Bool = false, on database: any SQLDatabase) async throws -> Need {
        var stored = need
        stored.householdID = resident.householdID
        stored.gridID = resident.gridID
        stored.communityID = resident.communityID
        stored.streetID = resident.streetID
        stored.raisedAt = need.raisedAt.storedPrecision
        stored.dueAt = need.dueAt.storedPrecision
        stored.resolvedAt = need.resolvedAt?.storedPrecision
        stored.history = need.history.map { event in
            var event = event
            event.at = event.at.storedPrecision
            return event
        }
        if !freshID {
            let taken = try await database.select().column("id").from(CommunityTables.needs).where("id", .equal, need.id).first()
            guard taken == nil else {
                throw DomainError(.alreadyExists, "need \(need.id) exists already")
            }
        }
        try await CommunityTables.insert(stored, on: database)
        return stored
    }

    /// Checks a need's id and texts.
    /// - Throws: ``DomainError`` `invalidArgument`.
    static func checkNeed(_ need: Need) throws {
        try Validation.id(need.id, what: "need id")
        try Validation.text(need.category, what: "category of need \(need.id)", allowsEmpty: false)
        try Validation.text(need.summary, what: "summary of need \(need.id)", allowsEmpty: false)
        guard !need.history.isEmpty else {
            throw DomainError(.invalidArgument, "need \(need.id) has no history: raise it with NeedLifecycle.raise")
        }
        for event in need.history {
            try Validation.text(event.note + (event.owner?.text ?? ""), what: "history of need \(need.id)")
        }
    }

    /// The select of the needs in `scope` that `filter` lets through.
    static func needsSelect(within scope: Scope, filter: NeedFilter, on database: any SQLDatabase) -> SQLSelectBuilder {
        let select = database.select().columns(CommunityTables.needColumns).from(CommunityTables.needs).within(scope)
        if !filter.statuses.isEmpty {
            select.where(SQLExpressions.isIn(SQLColumn("status"), filter.statuses.map(\.rawValue).sorted()))
        }
        if let category = filter.category {
            select.where("category", .equal, category)
        }
        if let owner = filter.owner {
            select.where("owner", .equal, owner.text)
        }
        if let overdueAt = filter.overdueAt {
            select.where(SQLExpressions.isIn(SQLColumn("status"), CommunityTables.activeStatuses))
                .where("due_at", .lessThan, overdueAt.milliseconds)
        }
        if let residentID = filter.residentID {
            select.where("resident_id", .equal, residentID)
        }
        return select
    }
}
