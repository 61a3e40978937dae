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
        try await recordVisitShowingResident(visit, caller: caller).recording
    }

    /// Records a visit as ``recordVisit(_:caller:)`` does, and returns with it the resident and
    /// their key-persons entry as they are once the visit is stored: what the methods are shown
    /// when they assess it, read in the same write (not audited: the host's own lookup).
    /// - Returns: The recording, the resident, and the entry or `nil`.
    /// - Throws: As ``recordVisit(_:caller:)``.
    public func recordVisitShowingResident(_ visit: Visit, caller: Caller) async throws -> WrittenVisit {
        try await translatingStoreErrors("recording visit \(visit.id)") {
            try await engine.writeGrouped(try Self.pending(visit, caller: caller, forMethods: nil), group: "visits", written: nil, Self.write)
        }
    }

    /// Records a visit as ``recordVisitShowingResident(_:caller:)`` does, and runs `meanwhile`
    /// on it as soon as it is written, while its transaction commits: what needs the written
    /// visit (the methods' assessment) does not wait for the log's sync. Returns once both the
    /// visit is durable and `meanwhile` has finished; if the commit fails, what `meanwhile`
    /// made is dropped and the error thrown. `meanwhile` sees the visit before it is durable:
    /// reads on other connections may not find it yet. Not run for a refused visit.
    /// - Parameters:
    ///   - visit: The visit as the client recorded it.
    ///   - caller: Who records, within which scope.
    ///   - withRecords: Collections of modules' stores whose records at the resident come with
    ///     a recorded visit (``WrittenVisit/records``), by module: read in the same write, in one
    ///     statement for the visits written together.
    ///   - meanwhile: Work on the written visit (recorded or a duplicate).
    /// - Returns: The visit as written, and what `meanwhile` made.
    /// - Throws: As ``recordVisit(_:caller:)``; ``StoreError`` `invalidArgument` for a malformed
    ///   module or collection name.
    public func recordVisit<Work: Sendable>(
        _ visit: Visit, caller: Caller, withRecords: [String: [String]] = [:], meanwhile: @escaping @Sendable (WrittenVisit) async -> Work
    ) async throws -> (written: WrittenVisit, work: Work) {
        let pending = try Self.pending(visit, caller: caller, forMethods: withRecords)
        let handoff = Handoff<WrittenVisit>()
        async let early = Self.run(meanwhile, on: handoff)
        let written: WrittenVisit
        do {
            written = try await translatingStoreErrors("recording visit \(visit.id)") {
                try await engine.writeGrouped(pending, group: "visits", written: { handoff.give($0) }, Self.write)
            }
        } catch {
            handoff.give(nil)
            _ = await early
            throw error
        }
        // Handed over by the write or now: `meanwhile` has run on it.
        handoff.give(written)
        return (written, await early!)
    }

    /// `meanwhile` on the visit handed over, or `nil` if none is.
    private static func run<Work: Sendable>(_ meanwhile: @Sendable (WrittenVisit) async -> Work, on handoff: Handoff<WrittenVisit>) async -> Work? {
        guard let written = await handoff.value else { return nil }
        return await meanwhile(written)
    }

    /// `visit` checked, as it waits to be written; `forMethods`: the collections whose records
    /// come with it for the methods, or `nil` for a recording without them.
    private static func pending(_ visit: Visit, caller: Caller, forMethods: [String: [String]]?) throws -> PendingVisit {
        for (module, names) in forMethods ?? [:] {
            try StoreLimits.checkModule(module)
            for collection in names { try StoreLimits.checkAddress(collection: collection, key: visit.residentID) }
        }
        try Validation.id(visit.id, what: "visit id")
        try Validation.id(visit.memberID, what: "member id of visit \(visit.id)")
        try Validation.text(visit.observations + visit.opinions + visit.requests.joined(), what: "text of visit \(visit.id)")
        var stored = visit
        stored.at = visit.at.storedPrecision
        return PendingVisit(
            visit: stored, scope: caller.scope, recordedAt: Date().milliseconds, requests: StoredJSON.strings(visit.requests),
            forMethods: forMethods
        )
    }

    /// A visit as written, with its resident as the methods see it.
    public struct WrittenVisit: Sendable {
        /// Recorded, or a duplicate of one recorded before.
        public var recording: VisitRecording
        /// The resident visited, as stored with the visit.
        public var resident: Resident
        /// Their key-persons entry (last knock moved by the visit), or `nil`.
        public var keyPerson: KeyPerson?
        /// For a recorded visit, the records at the resident of the collections asked for, by
        /// module (a module without any is absent); `nil` when none were asked for or they
        /// could not be read.
        public var records: [String: [StoredRecord]]?
        /// For a recorded visit written for the methods, the resident's active needs as of the
        /// write: the first id of each category (what a need of it raised again duplicates);
        /// `nil` when not read. ``KnockDatabase/apply(_:visitID:at:lifecycle:known:knownNeeds:)`` takes
        /// them for its first look.
        public var activeNeeds: [String: String]?
    }

    /// A visit checked and waiting to be written with the others arriving with it.
    struct PendingVisit: Sendable {
        var visit: Visit
        var scope: Scope
        var recordedAt: Int64
        var requests: String
        /// For a visit the methods assess: the collections of their stores whose records at the
        /// resident come with it (the resident's active needs come too). `nil`: neither.
        var forMethods: [String: [String]]?
    }

    /// Writes visits arriving together: one read of their residents' places, one insert of
    /// them all, then the last knock of those who are key persons. A visit to a resident
    /// unknown or outside its caller's scope is refused (`notFound`); one whose id is taken is a
    /// duplicate if it is the same visit, else refused (`alreadyExists`). Nothing is written for
    /// a refused visit.
    private static func write(_ pending: [PendingVisit], on database: any SQLDatabase) async throws -> [Result<WrittenVisit, any Error>] {
        var homes = try await residentsWithEntries(ids: pending.map(\.visit.residentID), on: database)
        var results = [Result<WrittenVisit, any Error>?](repeating: nil, count: pending.count)
        var rows: [(index: Int, visit: Visit)] = []
        for (index, item) in pending.enumerated() {
            guard let resident = homes[item.visit.residentID]?.resident, item.scope.contains(Scope.Place(resident)) else {
                results[index] = .failure(DomainError(.notFound, "resident \(item.visit.residentID) not found"))
                continue
            }
            rows.append((index, placed(item.visit, at: resident.home)))
        }
        if !rows.isEmpty {
            let values = rows.map { index, visit in
                let item = pending[index]
                return SQLText.row([
                    SQLBind(visit.id), SQLBind(visit.memberID), SQLBind(visit.residentID), SQLBind(visit.householdID), SQLBind(visit.streetID),
                    SQLBind(visit.communityID), SQLBind(visit.gridID), SQLBind(visit.at.milliseconds), SQLBind(visit.channel.rawValue),
                    SQLBind(visit.outcome.rawValue), SQLBind(visit.observations), SQLBind(visit.opinions), SQLBind(item.requests),
                    SQLBind(item.recordedAt),
                ])
            }
            let insert: SQLQueryString = """
                \(unsafeRaw: insertVisits)\(SQLList(values)) ON CONFLICT ("id") DO NOTHING RETURNING "id"
                """
            var inserted = Set(try await database.raw(insert).all().map { try $0.string("id") })
            var lastKnocks: [String: Date] = [:]
            var recorded: [(index: Int, visit: Visit, keyPerson: KeyPerson?)] = []
            for (index, visit) in rows {
                // Of two with one id in the batch, the first was inserted; the second is a retry.
                if inserted.remove(visit.id) != nil {
                    if visit.outcome != .noAnswer, let entry = homes[visit.residentID]?.keyPerson, entry.lastKnockAt.map({ $0 < visit.at }) ?? true {
                        homes[visit.residentID]?.keyPerson?.lastKnockAt = visit.at
                        lastKnocks[visit.residentID] = visit.at
                    }
                    recorded.append((index, visit, homes[visit.residentID]?.keyPerson))
                    continue
                }
                let existing = try await database.raw("\(unsafeRaw: SQLText.select(visitColumns, from: CommunityTables.visits))\"id\" = \(bind: visit.id)")
                    .first().map(Self.visit(from:))
                if let existing, existing == visit {
                    results[index] = .success(WrittenVisit(recording: .duplicate(existing), resident: homes[visit.residentID]!.resident, keyPerson: homes[visit.residentID]?.keyPerson))
                } else {
                    results[index] = .failure(DomainError(.alreadyExists, "visit \(visit.id) was recorded before with other content"))
                }
            }
            try await CommunityTables.moveLastKnocks(lastKnocks, on: database)
            for (index, visit, keyPerson) in recorded {
                results[index] = .success(WrittenVisit(recording: .recorded(visit), resident: homes[visit.residentID]!.resident, keyPerson: keyPerson))
            }
        }
        await readForMethods(pending, into: &results, on: database)
        return results.map { $0 ?? .failure(StoreError(code: .internal, message: "a visit of the batch was not written")) }
    }

    /// Adds to each recorded visit written for the methods what they work from: their records
    /// at the resident (one statement for the visits asking for the same collections) and the
    /// resident's active needs (one statement for the batch). What cannot be read is left for
    /// the methods, and the suggestions' check, to read themselves.
    private static func readForMethods(_ pending: [PendingVisit], into results: inout [Result<WrittenVisit, any Error>?], on database: any SQLDatabase) async {
        let asking = results.indices.filter { index in
            guard pending[index].forMethods != nil, case .success(let written)? = results[index], case .recorded = written.recording else { return false }
            return true
        }
        guard !asking.isEmpty else { return }
        func add(_ change: (inout WrittenVisit) -> Void, to indices: [Int]) {
            for index in indices {
                guard case .success(var written)? = results[index] else { continue }
                change(&written)
                results[index] = .success(written)
            }
        }
        for (collections, indices) in Dictionary(grouping: asking, by: { pending[$0].forMethods ?? [:] }) where !collections.isEmpty {
            guard let found = try? await RecordTables.records(at: indices.map { pending[$0].visit.residentID }, in: collections, on: database) else { continue }
            add({ $0.records = found[$0.resident.id] ?? [:] }, to: indices)
        }
        if let found = try? await CommunityTables.activeNeeds(of: asking.map { pending[$0].visit.residentID }, on: database) {
            add({ $0.activeNeeds = found[$0.resident.id] ?? [:] }, to: asking)
        }
    }

    private static let insertVisits = SQLText.insert(into: CommunityTables.visits, columns: visitColumns + ["recorded_at"])

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
    private static func placed(_ visit: Visit, at home: ResidentHome) -> Visit {
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
