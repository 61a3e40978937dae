import KnockDomain
import SQLKit

extension CommunityTables {
    /// The rows of `table` whose `id` is among `ids` (inside `scope`, if given, and meeting
    /// `condition`), decoded and keyed by id. Read in slices small enough for one `IN (…)` list.
    static func rows<Value>(
        of table: String, ids: [String], columns: [String], within scope: Scope?, where condition: (any SQLExpression)? = nil,
        on database: any SQLDatabase, _ decode: (any SQLRow) throws -> (id: String, value: Value)
    ) async throws -> [String: Value] {
        var found: [String: Value] = [:]
        let select = SQLText.select(columns, from: table)
        let scoped = scope.flatMap { SQLExpressions.within($0) }
        for chunk in chunks(of: Array(Set(ids)).sorted()) {
            let conditions = [SQLExpressions.isIn(SQLColumn("id"), chunk)] + [scoped, condition].compactMap { $0 }
            let query: SQLQueryString = "\(unsafeRaw: select)\(SQLList(conditions, separator: SQLRaw(" AND ")))"
            for row in try await database.raw(query).all() {
                let (id, value) = try decode(row)
                found[id] = value
            }
        }
        return found
    }

    /// What `found` holds for `ids`, in the order of `ids`, each once.
    static func inOrder<Value>(_ ids: [String], _ found: [String: Value]) -> [Value] {
        var seen: Set<String> = []
        return ids.compactMap { seen.insert($0).inserted ? found[$0] : nil }
    }

    /// Where each grid of `ids` sits (every grid when `ids` is `nil`), by grid id.
    static func gridPlaces(ids: [String]?, on database: any SQLDatabase) async throws -> [String: Scope.Place] {
        let isGrid = SQLBinaryExpression(SQLColumn("level"), .equal, SQLBind(OrganisationLevel.grid.rawValue))
        let columns = ["id", "street_id", "community_id"]
        let decode: (any SQLRow) throws -> (id: String, value: Scope.Place) = { row in
            let id = try row.string("id")
            return (id, Scope.Place(streetID: try row.optionalString("street_id") ?? "", communityID: try row.optionalString("community_id") ?? "", gridID: id))
        }
        if let ids {
            return try await rows(of: units, ids: ids, columns: columns, within: nil, where: isGrid, on: database, decode)
        }
        var places: [String: Scope.Place] = [:]
        for row in try await database.select().columns(columns).from(units).where(isGrid).all() {
            let (id, place) = try decode(row)
            places[id] = place
        }
        return places
    }
}

extension KnockDatabase {
    /// The most ids one lookup by ids may name (a district's plan names tens of thousands).
    public static let maxLookup = 200_000

    /// Refuses a lookup of more than ``maxLookup`` ids.
    /// - Throws: ``DomainError`` `invalidArgument`.
    static func checkLookup(_ ids: [String], of what: String) throws {
        guard ids.count <= maxLookup else {
            throw DomainError(.invalidArgument, "\(ids.count) \(what) asked for; at most \(maxLookup) at once")
        }
    }
}
