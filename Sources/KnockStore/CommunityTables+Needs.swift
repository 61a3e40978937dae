import Foundation
import KnockDomain
import SQLKit

/// Needs' rows and their history.
extension CommunityTables {
    static let needColumns = [
        "id", "resident_id", "household_id", "street_id", "community_id", "grid_id", "category", "urgency", "summary", "status",
        "owner", "raised_by", "visit_id", "raised_at", "due_at", "resolved_at", "followed_up_at", "satisfaction",
    ]

    /// The statuses in which a need is still work to do.
    static let activeStatuses = NeedStatus.allCases.filter(\.isActive).map(\.rawValue)

    /// The active needs of `residentIDs`, by resident, then category: the first id of each,
    /// which a need of that category raised again would duplicate. One statement.
    static func activeNeeds(of residentIDs: [String], on database: any SQLDatabase) async throws -> [String: [String: String]] {
        let unique = Array(Set(residentIDs)).sorted()
        guard !unique.isEmpty else { return [:] }
        let query: SQLQueryString = """
            SELECT "resident_id", "category", "id" FROM \(unsafeRaw: SQLText.quoted(needs)) \
            WHERE "resident_id" IN (\(SQLList(unique.map { SQLBind($0) }))) AND "status" IN (\(SQLList(activeStatuses.map { SQLBind($0) }))) \
            ORDER BY "id"
            """
        var found: [String: [String: String]] = [:]
        for row in try await database.raw(query).all() {
            let resident = try row.string("resident_id"), category = try row.string("category")
            if found[resident]?[category] == nil { found[resident, default: [:]][category] = try row.string("id") }
        }
        return found
    }

    static func row(_ need: Need) -> [any SQLExpression] {
        [
            SQLBind(need.id), SQLBind(need.residentID), SQLBind(need.householdID), SQLBind(need.streetID),
            SQLBind(need.communityID), SQLBind(need.gridID), SQLBind(need.category), SQLBind(need.urgency.rawValue),
            SQLBind(need.summary), SQLBind(need.status.rawValue), SQLExpressions.nullable(need.owner?.text),
            SQLBind(need.raisedBy.text), SQLExpressions.nullable(need.visitID), SQLBind(need.raisedAt.milliseconds),
            SQLBind(need.dueAt.milliseconds), SQLExpressions.nullable(need.resolvedAt?.milliseconds),
            SQLExpressions.nullable(need.status == .followedUp ? need.history.last(where: { $0.to == .followedUp })?.at.milliseconds : nil),
            SQLExpressions.nullable(need.satisfaction.map { Int64($0) }),
        ]
    }

    /// A need from its row, without its history.
    static func need(from row: any SQLRow) throws -> Need {
        Need(
            id: try row.string("id"), residentID: try row.string("resident_id"), householdID: try row.string("household_id"),
            gridID: try row.string("grid_id"), communityID: try row.string("community_id"), streetID: try row.string("street_id"),
            category: try row.string("category"), urgency: try row.value("urgency", as: Urgency.self), summary: try row.string("summary"),
            status: try row.value("status", as: NeedStatus.self), owner: try row.optionalOwner("owner"),
            raisedBy: try row.provenance("raised_by"), visitID: try row.optionalString("visit_id"), raisedAt: try row.date("raised_at"),
            dueAt: try row.date("due_at"), resolvedAt: try row.optionalDate("resolved_at"), satisfaction: try row.optionalInt("satisfaction")
        )
    }

    /// Inserts a new need and its whole history.
    static func insert(_ need: Need, on database: any SQLDatabase) async throws {
        try await database.raw("\(unsafeRaw: insertNeed)\(SQLText.row(row(need)))").run()
        try await insertEvents(of: need, from: 0, on: database)
    }

    private static let insertNeed = SQLText.insert(into: needs, columns: needColumns)
    private static let insertNeedEvents = SQLText.insert(into: needEvents, columns: ["need_id", "seq", "at", "by", "from_status", "to_status", "owner", "note"])

    /// Writes a need's changed columns and the history events from `firstNew` on.
    static func update(_ need: Need, newEventsFrom firstNew: Int, on database: any SQLDatabase) async throws {
        let values = row(need)
        let update = database.update(needs)
        for (column, value) in zip(needColumns, values).dropFirst() {
            update.set(SQLIdentifier(column), to: value)
        }
        try await update.where("id", .equal, need.id).run()
        try await insertEvents(of: need, from: firstNew, on: database)
    }

    private static func insertEvents(of need: Need, from first: Int, on database: any SQLDatabase) async throws {
        guard first < need.history.count else { return }
        let rows = need.history.enumerated().dropFirst(first).map { seq, event -> [any SQLExpression] in
            [
                SQLBind(need.id), SQLBind(Int64(seq)), SQLBind(event.at.milliseconds), SQLBind(event.by.text),
                SQLExpressions.nullable(event.from?.rawValue), SQLBind(event.to.rawValue), SQLExpressions.nullable(event.owner?.text),
                SQLBind(event.note),
            ]
        }
        try await database.raw("\(unsafeRaw: insertNeedEvents)\(SQLList(rows.map(SQLText.row)))").run()
    }

    /// The needs a select of the needs table returns (it selects ``needColumns``), each with
    /// its history.
    static func needs(_ select: SQLSelectBuilder, on database: any SQLDatabase) async throws -> [Need] {
        var found = try await select.all().map(need(from:))
        guard !found.isEmpty else { return [] }
        var history: [String: [NeedEvent]] = [:]
        for chunk in chunks(of: found.map(\.id)) {
            let rows = try await database.select()
                .columns("need_id", "at", "by", "from_status", "to_status", "owner", "note")
                .from(needEvents)
                .where(SQLExpressions.isIn(SQLColumn("need_id"), chunk))
                .orderBy("need_id").orderBy("seq")
                .all()
            for row in rows {
                let event = NeedEvent(
                    at: try row.date("at"), by: try row.provenance("by"),
                    from: try row.optionalValue("from_status", as: NeedStatus.self),
                    to: try row.value("to_status", as: NeedStatus.self), owner: try row.optionalOwner("owner"), note: try row.string("note")
                )
                history[try row.string("need_id"), default: []].append(event)
            }
        }
        for index in found.indices {
            found[index].history = history[found[index].id] ?? []
        }
        return found
    }

    /// The need `id` inside `scope`, with its history.
    /// - Throws: ``DomainError`` `notFound`, alike whether it does not exist or lies outside.
    static func requireNeed(id: String, within scope: Scope?, on database: any SQLDatabase) async throws -> Need {
        let select = database.select().columns(needColumns).from(needs).where("id", .equal, id)
        if let scope { select.within(scope) }
        guard let need = try await needs(select, on: database).first else {
            throw DomainError(.notFound, "need \(id) not found")
        }
        return need
    }
}
