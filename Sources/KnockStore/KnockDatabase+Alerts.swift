import Foundation
import KnockDomain
import SQLKit

/// Alerts: something someone must act on now, open until acknowledged. Reads are audited.
extension KnockDatabase {
    /// Stores a new alert, placed where its resident lives. The id is the caller's, so a retry
    /// raises nothing twice: an alert with the same id, resident, urgency, message and raiser is
    /// answered as stored (acknowledged meanwhile, perhaps).
    /// - Parameter alert: The alert (open: not acknowledged).
    /// - Returns: The alert as stored, and whether this call raised it (`false` for a retry).
    /// - Throws: ``DomainError`` `notFound` for an unknown resident; `alreadyExists` for an id
    ///   taken by another alert; `invalidArgument` for a malformed id, an empty message, or an
    ///   acknowledged alert. ``StoreError`` if the database fails.
    @discardableResult
    public func raiseAlert(_ alert: Alert) async throws -> (alert: Alert, raised: Bool) {
        try Validation.id(alert.id, what: "alert id")
        try Validation.text(alert.message, what: "message of alert \(alert.id)", allowsEmpty: false)
        guard alert.isOpen else {
            throw DomainError(.invalidArgument, "alert \(alert.id) is raised acknowledged")
        }
        // It refuses only before writing (an id taken is found by the insert that wrote nothing):
        // no savepoint.
        return try await communityWrite("raising alert \(alert.id)", isolation: .refusesBeforeWriting) { database in
            let resident = try await CommunityTables.requireResident(id: alert.residentID, within: nil, on: database)
            let stored = Self.placed(alert, at: resident)
            let inserted = try await database.insert(into: CommunityTables.alerts)
                .columns(Self.alertColumns)
                .values(Self.row(stored))
                .ignoringConflicts(with: ["id"])
                .returning("id")
                .first()
            if inserted != nil { return (stored, true) }
            let existing = try await database.select().columns(Self.alertColumns).from(CommunityTables.alerts)
                .where("id", .equal, alert.id).first().map(Self.alert(from:))
            guard let existing, existing.residentID == stored.residentID, existing.urgency == stored.urgency,
                  existing.message == stored.message, existing.raisedBy == stored.raisedBy else {
                throw DomainError(.alreadyExists, "alert \(alert.id) exists already, with other content")
            }
            return (existing, false)
        }
    }

    /// The alerts in the caller's scope, newest first. Audited as `alerts.list`.
    /// - Parameters:
    ///   - caller: Who reads, within which scope, through which module.
    ///   - openOnly: Only alerts nobody has acknowledged.
    ///   - limit: At most this many (1 to 1000).
    ///   - residentID: Only the alerts about this resident.
    /// - Returns: The alerts.
    /// - Throws: ``DomainError`` `invalidArgument` for a limit out of range; ``StoreError`` if the
    ///   database fails.
    public func alerts(caller: Caller, openOnly: Bool = true, limit: Int = 100, residentID: String? = nil) async throws -> [Alert] {
        try Validation.limit(limit)
        return try await auditedRead("alerts.list", caller: caller) { database in
            let select = database.select().columns(Self.alertColumns).from(CommunityTables.alerts).within(caller.scope)
            if let residentID {
                select.where("resident_id", .equal, residentID)
            }
            if openOnly {
                select.where(SQLColumn("acknowledged_at"), .is, SQLLiteral.null)
            }
            let alerts = try await select.orderBy("raised_at", .descending).orderBy("id", .descending).limit(limit).all().map(Self.alert(from:))
            return (alerts, alerts.map(\.residentID))
        }
    }

    /// Acknowledges an open alert: who, when and what they did.
    /// - Parameters:
    ///   - id: The alert's id.
    ///   - note: What the acknowledging member did.
    ///   - caller: Who acknowledges, within which scope.
    ///   - at: When.
    /// - Returns: The alert after acknowledgement.
    /// - Throws: ``DomainError`` `notFound` if there is no such alert in the caller's scope;
    ///   `invalidTransition` if it was acknowledged before (nothing changed). ``StoreError`` if
    ///   the database fails.
    @discardableResult
    public func acknowledgeAlert(id: String, note: String, caller: Caller, at: Date) async throws -> Alert {
        try Validation.text(note, what: "acknowledgement")
        // It refuses only before writing (the update that finds no open alert wrote nothing): no
        // savepoint.
        return try await communityWrite("acknowledging alert \(id)", isolation: .refusesBeforeWriting) { database in
            let row = try await database.select().columns(Self.alertColumns).from(CommunityTables.alerts)
                .where("id", .equal, id).within(caller.scope).first()
            guard var alert = try row.map(Self.alert(from:)) else { throw DomainError(.notFound, "alert \(id) not found") }
            guard alert.isOpen else {
                throw DomainError(.invalidTransition, "alert \(id) was acknowledged already")
            }
            alert.acknowledgedBy = caller.provenance
            alert.acknowledgedAt = at.storedPrecision
            alert.acknowledgement = note
            // Only an open alert changes: of two acknowledging at once, the second finds none.
            let changed = try await database.update(CommunityTables.alerts)
                .set("acknowledged_by", to: caller.provenance.text)
                .set("acknowledged_at", to: at.milliseconds)
                .set("acknowledgement", to: note)
                .where("id", .equal, id)
                .where(SQLColumn("acknowledged_at"), .is, SQLLiteral.null)
                .returning("id")
                .first()
            guard changed != nil else { throw DomainError(.invalidTransition, "alert \(id) was acknowledged already") }
            return alert
        }
    }

    // MARK: Rows

    private static let alertColumns = [
        "id", "resident_id", "street_id", "community_id", "grid_id", "urgency", "message", "raised_by", "raised_at",
        "acknowledged_by", "acknowledged_at", "acknowledgement",
    ]

    /// `alert` placed where `resident` lives, its time to the millisecond.
    static func placed(_ alert: Alert, at resident: Resident) -> Alert {
        var placed = alert
        placed.gridID = resident.gridID
        placed.communityID = resident.communityID
        placed.streetID = resident.streetID
        placed.raisedAt = alert.raisedAt.storedPrecision
        return placed
    }

    static func row(_ alert: Alert) -> [any SQLExpression] {
        [
            SQLBind(alert.id), SQLBind(alert.residentID), SQLBind(alert.streetID), SQLBind(alert.communityID), SQLBind(alert.gridID),
            SQLBind(alert.urgency.rawValue), SQLBind(alert.message), SQLBind(alert.raisedBy.text), SQLBind(alert.raisedAt.milliseconds),
            SQLExpressions.nullable(alert.acknowledgedBy?.text), SQLExpressions.nullable(alert.acknowledgedAt?.milliseconds),
            SQLBind(alert.acknowledgement),
        ]
    }

    /// Inserts an open alert (for suggestions).
    static func insertAlert(_ alert: Alert, on database: any SQLDatabase) async throws {
        try await database.raw("\(unsafeRaw: insertAlertSQL)\(SQLText.row(row(alert)))").run()
    }

    private static let insertAlertSQL = SQLText.insert(into: CommunityTables.alerts, columns: alertColumns)

    private static func alert(from row: any SQLRow) throws -> Alert {
        Alert(
            id: try row.string("id"), residentID: try row.string("resident_id"), gridID: try row.string("grid_id"),
            communityID: try row.string("community_id"), streetID: try row.string("street_id"),
            urgency: try row.value("urgency", as: Urgency.self), message: try row.string("message"),
            raisedBy: try row.provenance("raised_by"), raisedAt: try row.date("raised_at"),
            acknowledgedBy: try row.optionalProvenance("acknowledged_by"), acknowledgedAt: try row.optionalDate("acknowledged_at"),
            acknowledgement: try row.string("acknowledgement")
        )
    }
}
