import Foundation
import KnockDomain
import SQLKit

/// The key-persons list (重点人员清单): who is knocked on at a set cadence, why, by whom, and
/// who is due. Reads are audited.
extension KnockDatabase {
    /// The key persons in the caller's scope, in resident order; with `dueOn`, only those due
    /// that day: never knocked, or last knocked on a day at least their cadence before it.
    /// Audited as `keyPersons.list`.
    /// - Parameters:
    ///   - caller: Who reads, within which scope, through which module.
    ///   - dueOn: Only those due on this day.
    ///   - communityID: Only those living in this community (within the caller's scope still).
    ///   - timeZone: The deployment's time zone, in which knocks fall on days.
    /// - Returns: The entries.
    /// - Throws: ``StoreError`` if the database fails.
    public func keyPersons(caller: Caller, dueOn day: CalendarDay? = nil, communityID: String? = nil, timeZone: TimeZone) async throws -> [KeyPerson] {
        try await auditedRead("keyPersons.list", caller: caller) { database in
            let select = Self.narrow(CommunityTables.keyPersonsSelect(on: database), within: caller.scope, dueOn: day, communityID: communityID, timeZone: timeZone)
            let due = Self.due(try await CommunityTables.keyPersons(select), on: day, timeZone: timeZone)
            return (due, due.map(\.residentID))
        }
    }

    /// One page of ``keyPersons(caller:dueOn:communityID:timeZone:)``: the entries of at most
    /// `limit` residents after `after`, in resident order. Audited as `keyPersons.list` for the
    /// entries returned.
    /// - Parameters:
    ///   - limit: At most this many entries (1 to 1,000).
    ///   - after: Only residents whose id comes after this one (a previous page's `nextAfter`).
    /// - Returns: The page. With `dueOn`, a page may hold fewer than `limit` entries (even none)
    ///   while more follow: read on while `nextAfter` is set.
    /// - Throws: ``DomainError`` `invalidArgument` for a limit out of range; ``StoreError`` if
    ///   the database fails.
    public func keyPersons(
        caller: Caller, dueOn day: CalendarDay? = nil, communityID: String? = nil, timeZone: TimeZone, limit: Int, after: String?
    ) async throws -> KeyPersonPage {
        try Validation.limit(limit)
        return try await auditedRead("keyPersons.list", caller: caller) { database in
            // The page's residents first (one row each), then their entries with every reason.
            let residents = Self.narrow(
                database.select().column(SQLColumn("resident_id", table: "k"))
                    .from(SQLAlias(SQLIdentifier(CommunityTables.keyPersons), as: SQLIdentifier("k"))),
                within: caller.scope, dueOn: day, communityID: communityID, timeZone: timeZone
            )
            if let after { residents.where(SQLColumn("resident_id", table: "k"), .greaterThan, SQLBind(after)) }
            let ids = try await residents.orderBy(SQLColumn("resident_id", table: "k")).limit(limit + 1).all().map { try $0.string("resident_id") }
            let shown = Array(ids.prefix(limit))
            guard !shown.isEmpty else { return (KeyPersonPage([], nextAfter: nil), []) }
            let entries = try await CommunityTables.keyPersons(
                CommunityTables.keyPersonsSelect(on: database).where(SQLColumn("resident_id", table: "k"), .in, SQLBind.group(shown.map { $0 as any Encodable & Sendable }))
            )
            let due = Self.due(entries, on: day, timeZone: timeZone)
            return (KeyPersonPage(due, nextAfter: ids.count > limit ? shown.last : nil), due.map(\.residentID))
        }
    }

    /// The key-person entry of a resident. Audited as `keyPersons.get`.
    /// - Parameters:
    ///   - residentID: The resident's id.
    ///   - caller: Who reads, within which scope, through which module.
    /// - Returns: The entry.
    /// - Throws: ``DomainError`` `notFound` if the resident is not on the list in the caller's
    ///   scope (alike whether it does not exist or lies outside); ``StoreError`` if the database fails.
    public func keyPerson(residentID: String, caller: Caller) async throws -> KeyPerson {
        try await auditedRead("keyPersons.get", caller: caller) { database in
            let entry = try await Self.requireKeyPerson(residentID: residentID, scope: caller.scope, on: database)
            return (entry, [entry.residentID])
        }
    }

    /// Sets the member who knocks on a key person (`nil`: the grid's member).
    /// - Parameters:
    ///   - residentID: The resident's id.
    ///   - memberID: The member, or `nil`.
    ///   - caller: Who assigns, within which scope.
    /// - Returns: The entry after the change.
    /// - Throws: ``DomainError`` `notFound` if the resident is not on the list in the caller's
    ///   scope, or the member does not exist; ``StoreError`` if the database fails.
    @discardableResult
    public func assignKeyPerson(residentID: String, memberID: String?, caller: Caller) async throws -> KeyPerson {
        try await communityWrite("assigning key person \(residentID)") { database in
            try await database.holdLocks(["resident." + residentID])
            var entry = try await Self.requireKeyPerson(residentID: residentID, scope: caller.scope, on: database)
            if let memberID {
                let member = try await database.select().column("id").from(CommunityTables.members).where("id", .equal, memberID).first()
                guard member != nil else { throw DomainError(.notFound, "member \(memberID) not found") }
            }
            try await database.update(CommunityTables.keyPersons)
                .set("assigned_member_id", to: SQLExpressions.nullable(memberID))
                .where("resident_id", .equal, residentID)
                .run()
            entry.assignedMemberID = memberID
            return entry
        }
    }

    /// Puts a resident on the key-persons list for `reason`, or changes that reason's cadence
    /// and end. The entry's cadence is the shortest of its reasons'.
    /// - Parameters:
    ///   - residentID: The resident's id.
    ///   - reason: Why, in words a grid member understands (独居高龄).
    ///   - cadenceDays: Knock at least every this many days (1 = daily).
    ///   - until: Until when the reason holds (after `at`); `nil` for open-ended. The host takes
    ///     it off within a minute of its end (``endKeyPersonReasons(endedBy:)``).
    ///   - caller: Who flags (recorded as the reason's provenance), within which scope.
    ///   - at: When.
    /// - Returns: The entry after the change.
    /// - Throws: ``DomainError`` `notFound` if the resident does not exist in the caller's scope;
    ///   `invalidArgument` for an empty reason, a cadence below 1 or an end not after `at`.
    ///   ``StoreError`` if the database fails.
    @discardableResult
    public func flagKeyPerson(
        residentID: String, reason: String, cadenceDays: Int, until: Date? = nil, caller: Caller, at: Date
    ) async throws -> KeyPerson {
        try Self.checkFlag(reason: reason, cadenceDays: cadenceDays, until: until, at: at)
        return try await communityWrite("flagging key person \(residentID)") { database in
            try await database.holdLocks(["resident." + residentID])
            let resident = try await CommunityTables.requireResident(id: residentID, within: caller.scope, on: database)
            try await CommunityTables.flag(
                resident, reason: reason, cadenceDays: cadenceDays, flaggedBy: caller.provenance, since: at, until: until, on: database
            )
            return try await Self.requireKeyPerson(residentID: residentID, scope: nil, on: database)
        }
    }

    /// Removes one reason from a resident's entry; the entry leaves the list with its last reason.
    /// - Parameters:
    ///   - residentID: The resident's id.
    ///   - reason: The reason to remove.
    ///   - caller: Who unflags, within which scope.
    /// - Returns: The entry after the change, or `nil` if it left the list.
    /// - Throws: ``DomainError`` `notFound` if the resident is not on the list for that reason in
    ///   the caller's scope; ``StoreError`` if the database fails.
    @discardableResult
    public func unflagKeyPerson(residentID: String, reason: String, caller: Caller) async throws -> KeyPerson? {
        try await communityWrite("unflagging key person \(residentID)") { database in
            try await database.holdLocks(["resident." + residentID])
            _ = try await Self.requireKeyPerson(residentID: residentID, scope: caller.scope, on: database)
            guard try await CommunityTables.unflag(residentID: residentID, reason: reason, on: database) else {
                throw DomainError(.notFound, "key person \(residentID) has no reason \"\(reason)\"")
            }
            return try await CommunityTables.keyPerson(residentID: residentID, on: database)
        }
    }

    /// Takes reasons whose end (`until`) has come off the list: an entry leaves with its last
    /// reason, the others keep the shortest cadence of the reasons left. The host runs this at
    /// start and each minute, so a reason leaves the list within a minute of its end. Looks
    /// first on a reading connection and writes only if some reason has ended.
    /// - Parameter end: The time judged (now).
    /// - Returns: The reasons taken off, by resident (empty if none had ended).
    /// - Throws: ``StoreError`` if the database fails.
    public func endKeyPersonReasons(endedBy end: Date) async throws -> [String: [String]] {
        let any = try await communityRead("looking for ended key-person reasons") { database in
            try await CommunityTables.hasReasonEnded(by: end, on: database)
        }
        guard any else { return [:] }
        return try await communityWrite("ending key-person reasons") { database in
            try await CommunityTables.endReasons(endedBy: end, on: database)
        }
    }

    // MARK: Rules

    /// Narrows a select of entries (the entries table aliased `k`) to those in `scope` and, if
    /// given, in `communityID`; with `day`, to those that may be due that day (a few more near a
    /// daylight-saving change: ``due(_:on:timeZone:)`` decides).
    @discardableResult
    static func narrow(
        _ select: SQLSelectBuilder, within scope: Scope, dueOn day: CalendarDay?, communityID: String? = nil, timeZone: TimeZone
    ) -> SQLSelectBuilder {
        select.within(scope, table: "k")
        if let communityID { select.where(SQLColumn("community_id", table: "k"), .equal, SQLBind(communityID)) }
        if let day {
            // A knock at `last` makes the entry due again on day(last) + cadence, that is when
            // last < start(day + 1 − cadence). Days are 24 hours here; an hour's slack keeps the
            // entries near a daylight-saving change, judged exactly by `isDue`.
            let bound = day.adding(days: 1).start(in: timeZone).milliseconds + 3_600_000
            let last = SQLColumn("last_knock_at", table: "k")
            let cadence = SQLBinaryExpression(SQLColumn("cadence_days", table: "k"), .multiply, SQLLiteral.numeric("86400000"))
            select.where(group: { group in
                group.where(last, .is, SQLLiteral.null)
                    .orWhere(SQLBinaryExpression(last, .add, cadence), .lessThan, SQLBind(bound))
            })
        }
        return select
    }

    /// The entries due on `day`, or all of them without a day.
    static func due(_ entries: [KeyPerson], on day: CalendarDay?, timeZone: TimeZone) -> [KeyPerson] {
        day.map { day in entries.filter { isDue($0, on: day, timeZone: timeZone) } } ?? entries
    }

    /// Whether `entry` is due on `day`: never knocked, or last knocked on a day at least its
    /// cadence before `day`.
    static func isDue(_ entry: KeyPerson, on day: CalendarDay, timeZone: TimeZone) -> Bool {
        guard let last = entry.lastKnockAt else { return true }
        return CalendarDay(containing: last, in: timeZone).adding(days: entry.cadenceDays) <= day
    }

    /// Checks a flag's reason, cadence and end.
    /// - Parameters:
    ///   - until: The reason's end, if any: after `at`.
    ///   - at: When the flag is made.
    /// - Throws: ``DomainError`` `invalidArgument`.
    static func checkFlag(reason: String, cadenceDays: Int, until: Date?, at: Date) throws {
        try Validation.text(reason, what: "key-person reason", allowsEmpty: false)
        guard cadenceDays >= 1 else {
            throw DomainError(.invalidArgument, "a key person's cadence is at least 1 day, not \(cadenceDays)")
        }
        if let until, until <= at {
            throw DomainError(.invalidArgument, "the reason \"\(reason)\" would end at \(until), which is not after now (\(at))")
        }
    }

    private static func requireKeyPerson(residentID: String, scope: Scope?, on database: any SQLDatabase) async throws -> KeyPerson {
        let select = CommunityTables.keyPersonsSelect(on: database).where(SQLColumn("resident_id", table: "k"), .equal, SQLBind(residentID))
        if let scope { select.within(scope, table: "k") }
        let entry = try await CommunityTables.keyPersons(select).first
        guard let entry else { throw DomainError(.notFound, "key person \(residentID) not found") }
        return entry
    }
}
