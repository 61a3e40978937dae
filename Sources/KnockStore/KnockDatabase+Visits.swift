import Foundation
import KnockDomain
import SQLKit

/// Visits (随身记载): recorded once by their client-chosen id, read within the caller's scope.
extension KnockDatabase {
    /// Records a visit, idempotently by its id: a retry of the same visit writes nothing.
    ///
    /// The visit's household, grid, community and street are taken from its resident, not from
    /// the client. A visit whose outcome is not `noAnswer` also moves the resident's key-person
    /// entry's last knock forward, in the same write. Durable when it returns.
    /// - Parameters:
    ///   - visit: The visit as the client recorded it.
    ///   - caller: Who records, within which scope.
    /// - Returns: `.recorded` with the stored visit, or `.duplicate` with the visit stored before.
    /// - Throws: ``DomainError`` `notFound` for a resident that does not exist or lies outside the
    ///   caller's scope; `alreadyExists` for an id stored with different content (nothing
    ///   changed); `invalidArgument` for a malformed id or text. ``StoreError`` if the database fails.
    @discardableResult
    public func recordVisit(_ visit: Visit, caller: Caller) async throws -> VisitRecording {
        try Validation.id(visit.id, what: "visit id")
        try Validation.id(visit.memberID, what: "member id of visit \(visit.id)")
        try Validation.text(visit.observations + visit.opinions + visit.requests.joined(), what: "text of visit \(visit.id)")
        let recordedAt = Date().milliseconds
        let requests = try StoredJSON.encode(visit.requests)
        // Refusals (unknown resident, id taken) come before anything is written; the insert and
        // the update are single statements. So no savepoint: two statements, not four.
        return try await communityWrite("recording visit \(visit.id)", isolation: .refusesBeforeWriting) { database in
            var stored = visit
            stored.at = visit.at.storedPrecision
            // One statement takes the resident's place, checks the scope, and inserts unless the
            // id is taken.
            let scope = SQLExpressions.within(caller.scope, table: "r") ?? SQLLiteral.boolean(true)
            let inserted = try await database.raw("""
                INSERT INTO \(unsafeRaw: CommunityTables.visits) (\(unsafeRaw: Self.visitColumns.joined(separator: ", ")), recorded_at) \
                SELECT \(bind: stored.id), \(bind: stored.memberID), r.id, r.household_id, r.street_id, r.community_id, r.grid_id, \
                \(bind: stored.at.milliseconds), \(bind: stored.channel.rawValue), \(bind: stored.outcome.rawValue), \
                \(bind: stored.observations), \(bind: stored.opinions), \(bind: requests), \(bind: recordedAt) \
                FROM \(unsafeRaw: CommunityTables.residents) r WHERE r.id = \(bind: visit.residentID) AND \(scope) \
                ON CONFLICT (id) DO NOTHING RETURNING household_id, street_id, community_id, grid_id
                """).first()
            guard let inserted else {
                // Nothing inserted: no such resident in the scope, or the id is taken.
                let home = try await CommunityTables.requireHome(ofResident: visit.residentID, within: caller.scope, on: database)
                stored = Self.placed(stored, at: home)
                let existing = try await database.select().columns(Self.visitColumns).from(CommunityTables.visits)
                    .where("id", .equal, visit.id).first().map(Self.visit(from:))
                guard let existing, existing == stored else {
                    throw DomainError(.alreadyExists, "visit \(visit.id) was recorded before with other content")
                }
                return .duplicate(existing)
            }
            stored = Self.placed(stored, at: (
                try inserted.string("household_id"),
                Scope.Place(streetID: try inserted.string("street_id"), communityID: try inserted.string("community_id"), gridID: try inserted.string("grid_id"))
            ))
            if stored.outcome != .noAnswer {
                let at = stored.at.milliseconds
                try await database.raw("""
                    UPDATE \(unsafeRaw: CommunityTables.keyPersons) SET last_knock_at = \(bind: at) \
                    WHERE resident_id = \(bind: stored.residentID) AND (last_knock_at IS NULL OR last_knock_at < \(bind: at))
                    """).run()
            }
            return .recorded(stored)
        }
    }

    /// Visits in the caller's scope, newest first. Audited as `visits.list`.
    /// - Parameters:
    ///   - caller: Who reads, within which scope, through which module.
    ///   - residentID: Only visits to this resident.
    ///   - from: Only visits at or after this time.
    ///   - to: Only visits before this time.
    ///   - limit: At most this many (1 to 1000).
    /// - Returns: The visits.
    /// - Throws: ``DomainError`` `invalidArgument` for a limit out of range; ``StoreError`` if the
    ///   database fails.
    public func visits(caller: Caller, residentID: String? = nil, from: Date? = nil, to: Date? = nil, limit: Int = 100) async throws -> [Visit] {
        try Validation.limit(limit)
        return try await auditedRead("visits.list", caller: caller) { database in
            let select = database.select().columns(Self.visitColumns).from(CommunityTables.visits).within(caller.scope)
            if let residentID {
                select.where("resident_id", .equal, residentID)
            }
            if let from {
                select.where("at", .greaterThanOrEqual, from.milliseconds)
            }
            if let to {
                select.where("at", .lessThan, to.milliseconds)
            }
            let visits = try await select.orderBy("at", .descending).orderBy("id", .descending).limit(limit).all().map(Self.visit(from:))
            return (visits, visits.map(\.residentID))
        }
    }

    /// The visits of `ids` in the caller's scope, in the order of `ids` (others are left out,
    /// alike whether they were never recorded or lie outside). Audited as `visits.get`.
    /// - Parameters:
    ///   - ids: The visits' client-chosen ids (at most ``maxLookup``).
    ///   - caller: Who reads, within which scope, through which module.
    /// - Returns: The visits found.
    /// - Throws: ``DomainError`` `invalidArgument` for more than ``maxLookup`` ids; ``StoreError``
    ///   if the database fails.
    public func visits(ids: [String], caller: Caller) async throws -> [Visit] {
        try Self.checkLookup(ids, of: "visits")
        let found = try await auditedRead("visits.get", caller: caller) { database in
            let found = try await CommunityTables.rows(of: CommunityTables.visits, ids: ids, columns: Self.visitColumns, within: caller.scope, on: database) { row in
                let visit = try Self.visit(from: row)
                return (visit.id, visit)
            }
            return (found, found.values.map(\.residentID))
        }
        return CommunityTables.inOrder(ids, found)
    }

    // MARK: Rows

    private static let visitColumns = [
        "id", "member_id", "resident_id", "household_id", "street_id", "community_id", "grid_id", "at", "channel", "outcome",
        "observations", "opinions", "requests",
    ]

    /// `visit` placed where its resident lives.
    private static func placed(_ visit: Visit, at home: (householdID: String, place: Scope.Place)) -> Visit {
        var placed = visit
        placed.householdID = home.householdID
        placed.streetID = home.place.streetID
        placed.communityID = home.place.communityID
        placed.gridID = home.place.gridID
        return placed
    }

    private static func visit(from row: any SQLRow) throws -> Visit {
        Visit(
            id: try row.string("id"), memberID: try row.string("member_id"), residentID: try row.string("resident_id"),
            householdID: try row.string("household_id"), gridID: try row.string("grid_id"), communityID: try row.string("community_id"),
            streetID: try row.string("street_id"), at: try row.date("at"), channel: try row.value("channel", as: Channel.self),
            outcome: try row.value("outcome", as: Outcome.self), observations: try row.string("observations"),
            opinions: try row.string("opinions"), requests: try row.json("requests", as: [String].self)
        )
    }
}
