import Foundation
import SQLKit

/// The statements on modules' records, written once for both engines. Each runs inside a
/// transaction (writes) or as one statement (reads), so what it sees is consistent.
///
/// Every method reads and writes records on every visit, so the statements are text with
/// identifiers quoted once (``SQLText``), binding only values per call: SQLKit's builders
/// serialised every identifier on every call, which cost more than running the statements.
extension RecordTables {
    /// The columns a record is read from.
    private static let recordColumns = ["key", "value", "index_fields", "version", "updated_at"]
    /// The columns a new record is written to.
    private static let insertedColumns = ["module", "collection", "key", "value", "index_fields", "version", "updated_at"]

    /// `"knock_records"`.
    private static let recordsTable = SQLText.quoted(records)
    /// `"knock_record_index"`.
    private static let indexTable = SQLText.quoted(index)
    /// `SELECT "key", … FROM "knock_records" WHERE `.
    private static let selectRecord = SQLText.select(recordColumns, from: records)
    /// `"r"."key", …`: a record's columns read through an index join.
    private static let joinedRecordColumns = SQLText.columns(recordColumns, table: "r")
    /// `INSERT INTO "knock_records" ("module", …) VALUES `.
    private static let insertRecord = SQLText.insert(into: records, columns: insertedColumns)
    /// `INSERT INTO "knock_record_index" ("module", …) VALUES `.
    private static let insertIndexEntries = SQLText.insert(into: index, columns: ["module", "collection", "key", "field", "value"])

    /// Writes a record and its index entries. A record rewritten with the indexed fields it
    /// had (most rewrites: a case moving on, a proposal growing) is one statement; its index
    /// entries stay as they are.
    /// - Returns: The record's new version.
    /// - Throws: ``StoreError`` `versionConflict` if `expectedVersion` does not match; the
    ///   driver's error.
    static func put(
        module: String, collection: String, key: String, value: [UInt8], index: [String: String],
        expectedVersion: UInt64?, now: Date, on database: any SQLDatabase
    ) async throws -> UInt64 {
        let bytes = Data(value)
        let fields = encode(index)
        let time = milliseconds(now)
        let insert: SQLQueryString = """
            \(unsafeRaw: insertRecord)(\(bind: module), \(bind: collection), \(bind: key), \(bind: bytes), \(bind: fields), 1, \(bind: time)) \
            ON CONFLICT ("module", "collection", "key")
            """
        let update: SQLQueryString = """
            UPDATE \(unsafeRaw: recordsTable) SET "value" = \(bind: bytes), "index_fields" = \(bind: fields), "updated_at" = \(bind: time), \
            "version" = "version" + 1 WHERE \(address(module, collection, key))
            """
        // The indexed fields stored are the ones written (equal fields are equal text).
        let sameFields: SQLQueryString = #"\#(unsafeRaw: recordsTable)."index_fields" = \#(bind: fields)"#
        let replace: SQLQueryString = """
            DO UPDATE SET "value" = excluded."value", "index_fields" = excluded."index_fields", \
            "updated_at" = excluded."updated_at", "version" = \(unsafeRaw: recordsTable)."version" + 1
            """
        let row: (any SQLRow)?
        switch expectedVersion {
        case nil:
            // Created, or rewritten with the same fields: one statement. Else rewritten below.
            if let kept = try await database.raw("\(insert) \(replace) WHERE \(sameFields) RETURNING \"version\"").first() {
                let version = try kept.decode(column: "version", as: Int64.self)
                // Rewritten with its fields: its index entries stand.
                if version > 1 { return UInt64(version) }
                row = kept
            } else {
                row = try await database.raw("\(insert) \(replace) RETURNING \"version\"").first()
            }
        case 0?:
            row = try await database.raw("\(insert) DO NOTHING RETURNING \"version\"").first()
        case let expected?:
            let expectation: SQLQueryString = #" AND "version" = \#(bind: Int64(expected))"#
            if let kept = try await database.raw("\(update)\(expectation) AND \(sameFields) RETURNING \"version\"").first() {
                return UInt64(try kept.decode(column: "version", as: Int64.self))
            }
            row = try await database.raw("\(update)\(expectation) RETURNING \"version\"").first()
        }
        guard let row else {
            throw try await conflict(module: module, collection: collection, key: key, expected: expectedVersion ?? 0, on: database)
        }
        let version = try row.decode(column: "version", as: Int64.self)
        try await replaceIndex(module: module, collection: collection, key: key, with: index, isNew: version == 1, on: database)
        return UInt64(version)
    }

    /// Reads a record.
    /// - Throws: The driver's error.
    static func get(module: String, collection: String, key: String, on database: any SQLDatabase) async throws -> StoredRecord? {
        let row = try await database.raw("""
            \(unsafeRaw: selectRecord)\(address(module, collection, key))
            """).first()
        return try row.map { try record(from: $0, collection: collection) }
    }

    /// Reads the records at `keys` of several modules' collections, in one statement.
    /// - Parameters:
    ///   - keys: The keys (the residents' ids).
    ///   - collections: The collections to look in, by module.
    /// - Returns: The records found, by key, then by module.
    /// - Throws: The driver's error.
    static func records(
        at keys: [String], in collections: [String: [String]], on database: any SQLDatabase
    ) async throws -> [String: [String: [StoredRecord]]] {
        guard let select = recordsSelect(at: keys, in: collections) else { return [:] }
        var found: [String: [String: [StoredRecord]]] = [:]
        for row in try await database.raw(select).all() {
            let collection = try row.decode(column: "collection", as: String.self)
            let record = try record(from: row, collection: collection)
            found[record.key, default: [:]][try row.decode(column: "module", as: String.self), default: []].append(record)
        }
        return found
    }

    /// The statement of ``records(at:in:on:)``; `nil` when no key or no collection is named.
    /// Each module's term is whole (module, collections, keys), so that each is found through
    /// the primary key.
    static func recordsSelect(at keys: [String], in collections: [String: [String]]) -> SQLQueryString? {
        let wanted = collections.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
        guard !wanted.isEmpty, !keys.isEmpty else { return nil }
        var select: SQLQueryString = """
            SELECT "module", "collection", \(unsafeRaw: SQLText.columns(recordColumns)) FROM \(unsafeRaw: recordsTable) WHERE 
            """
        let keyList = SQLList(Set(keys).sorted().map { SQLBind($0) })
        for (position, (module, names)) in wanted.enumerated() {
            if position > 0 { select.appendLiteral(" OR ") }
            let list = SQLList(names.map { SQLBind($0) })
            select.appendInterpolation(SQLQueryString(#"("module" = \#(bind: module) AND "collection" IN (\#(list)) AND "key" IN (\#(keyList)))"#))
        }
        return select
    }

    /// Finds records whose indexed fields equal every condition, in key order, after `after`.
    ///
    /// Without conditions it reads the records table in key order. With conditions it starts
    /// from the index entries of the first condition (in key order through the lookup index),
    /// joins one more index entry per further condition, then the records. One statement: one
    /// consistent view.
    /// - Throws: The driver's error.
    static func query(
        module: String, collection: String, where conditions: [String: String], limit: Int, after: String?,
        on database: any SQLDatabase
    ) async throws -> QueryPage {
        // One more than asked for: whether it comes back says whether there is a next page.
        let rows = try await database.raw(pageSelect(module: module, collection: collection, where: conditions, limit: limit + 1, after: after)).all()
        let found = try rows.prefix(limit).map { try record(from: $0, collection: collection) }
        return QueryPage(found, nextAfter: rows.count > limit ? found.last?.key : nil)
    }

    /// The statement of ``query(module:collection:where:limit:after:on:)``, reading up to `limit` rows.
    ///
    /// With conditions it starts from the index entries of the first (in field order), joins one
    /// more index entry per further condition, then the records; without, it reads the records.
    static func pageSelect(
        module: String, collection: String, where conditions: [String: String], limit: Int, after: String?
    ) -> SQLQueryString {
        let sorted = conditions.sorted { $0.key < $1.key }
        guard let first = sorted.first else {
            var select: SQLQueryString = """
                \(unsafeRaw: selectRecord)"module" = \(bind: module) AND "collection" = \(bind: collection)
                """
            if let after { select.appendInterpolation(SQLQueryString(#" AND "key" > \#(bind: after)"#)) }
            select.appendLiteral(" ORDER BY \"key\" LIMIT \(limit)")
            return select
        }
        var select: SQLQueryString = "SELECT \(unsafeRaw: joinedRecordColumns) FROM \(unsafeRaw: indexTable) AS \"i0\""
        for (position, condition) in sorted.dropFirst().enumerated() {
            let alias = "\"i\(position + 1)\""
            select.appendInterpolation(SQLQueryString("""
                 INNER JOIN \(unsafeRaw: indexTable) AS \(unsafeRaw: alias) ON \(unsafeRaw: sameRecord(alias, "\"i0\"")) \
                AND \(unsafeRaw: alias)."field" = \(bind: condition.key) AND \(unsafeRaw: alias)."value" = \(bind: condition.value)
                """))
        }
        select.appendInterpolation(SQLQueryString("""
             INNER JOIN \(unsafeRaw: recordsTable) AS "r" ON \(unsafeRaw: sameRecord("\"r\"", "\"i0\"")) \
            WHERE "i0"."module" = \(bind: module) AND "i0"."collection" = \(bind: collection) \
            AND "i0"."field" = \(bind: first.key) AND "i0"."value" = \(bind: first.value)
            """))
        if let after { select.appendInterpolation(SQLQueryString(#" AND "i0"."key" > \#(bind: after)"#)) }
        select.appendLiteral(" ORDER BY \"i0\".\"key\" LIMIT \(limit)")
        return select
    }

    /// Deletes a record and its index entries.
    /// - Returns: Whether the record existed.
    /// - Throws: The driver's error.
    static func delete(module: String, collection: String, key: String, on database: any SQLDatabase) async throws -> Bool {
        let deleted = try await database.raw("""
            DELETE FROM \(unsafeRaw: recordsTable) WHERE \(address(module, collection, key)) RETURNING "version"
            """).first()
        guard deleted != nil else { return false }
        try await deleteIndexEntries(module: module, collection: collection, key: key, on: database)
        return true
    }

    // MARK: Pieces

    /// Replaces a record's index entries. A record at version 1 was just created (a deleted
    /// record's entries go with it), so it has none to remove.
    private static func replaceIndex(
        module: String, collection: String, key: String, with fields: [String: String], isNew: Bool,
        on database: any SQLDatabase
    ) async throws {
        if !isNew {
            try await deleteIndexEntries(module: module, collection: collection, key: key, on: database)
        }
        guard !fields.isEmpty else { return }
        let rows = fields.sorted(by: { $0.key < $1.key }).map { field, value in
            SQLText.row([SQLBind(module), SQLBind(collection), SQLBind(key), SQLBind(field), SQLBind(value)])
        }
        try await database.raw("\(unsafeRaw: insertIndexEntries)\(SQLList(rows))").run()
    }

    /// Removes a record's index entries.
    private static func deleteIndexEntries(module: String, collection: String, key: String, on database: any SQLDatabase) async throws {
        try await database.raw("""
            DELETE FROM \(unsafeRaw: indexTable) WHERE \(address(module, collection, key))
            """).run()
    }

    /// `"module" = ? AND "collection" = ? AND "key" = ?`: one record's rows.
    private static func address(_ module: String, _ collection: String, _ key: String) -> SQLQueryString {
        #""module" = \#(bind: module) AND "collection" = \#(bind: collection) AND "key" = \#(bind: key)"#
    }

    /// The error for a write whose expected version did not match, saying what is stored.
    private static func conflict(module: String, collection: String, key: String, expected: UInt64, on database: any SQLDatabase) async throws -> StoreError {
        let current = try await database.select()
            .column("version")
            .from(records)
            .where("module", .equal, module)
            .where("collection", .equal, collection)
            .where("key", .equal, key)
            .first(decodingColumn: "version", as: Int64.self)
        let message: String
        switch (expected, current) {
        case (0, let current?):
            message = "\(collection)/\(key) already exists (version \(current)); it was expected to be absent"
        case (_, nil):
            message = "\(collection)/\(key) does not exist; it was expected at version \(expected)"
        case (_, let current?):
            message = "\(collection)/\(key) is at version \(current); it was expected at version \(expected)"
        }
        return StoreError(code: .versionConflict, message: message)
    }

    private static func record(from row: any SQLRow, collection: String) throws -> StoredRecord {
        // SQLite reads an empty blob back as NULL.
        let value: [UInt8] = try row.decodeNil(column: "value") ? [] : Array(row.decode(column: "value", as: Data.self))
        return StoredRecord(
            collection: collection,
            key: try row.decode(column: "key", as: String.self),
            value: value,
            index: try decodeIndex(row.decode(column: "index_fields", as: String.self)),
            version: UInt64(try row.decode(column: "version", as: Int64.self)),
            updatedAt: Date(timeIntervalSince1970: Double(try row.decode(column: "updated_at", as: Int64.self)) / 1000)
        )
    }

    /// `a."module" = b."module" AND a."collection" = b."collection" AND a."key" = b."key"` for
    /// two quoted aliases.
    private static func sameRecord(_ table: String, _ other: String) -> String {
        ["module", "collection", "key"].map { "\(table).\"\($0)\" = \(other).\"\($0)\"" }.joined(separator: " AND ")
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    private static func encode(_ index: [String: String]) -> String {
        StoredJSON.fields(index)
    }

    private static func decodeIndex(_ text: String) throws -> [String: String] {
        try StoredJSON.fields(from: text)
    }
}
