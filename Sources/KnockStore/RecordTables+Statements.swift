import Foundation
import SQLKit

/// The statements on modules' records, written once for both engines. Each runs inside a
/// transaction (writes) or as one statement (reads), so what it sees is consistent.
extension RecordTables {
    /// The columns a record is read from.
    private static let recordColumns = ["key", "value", "index_fields", "version", "updated_at"]
    /// The columns a new record is written to.
    private static let insertedColumns = ["module", "collection", "key", "value", "index_fields", "version", "updated_at"]

    /// Writes a record and its index entries.
    /// - Returns: The record's new version.
    /// - Throws: ``StoreError`` `versionConflict` if `expectedVersion` does not match; the
    ///   driver's error.
    static func put(
        module: String, collection: String, key: String, value: [UInt8], index: [String: String],
        expectedVersion: UInt64?, now: Date, on database: any SQLDatabase
    ) async throws -> UInt64 {
        let bytes = Data(value)
        let fields = try encode(index)
        let time = milliseconds(now)
        let nextVersion = SQLBinaryExpression(SQLColumn("version", table: records), .add, SQLLiteral.numeric("1"))
        let row: (any SQLRow)?
        switch expectedVersion {
        case nil:
            row = try await database.insert(into: records)
                .columns(insertedColumns)
                .values(SQLBind(module), SQLBind(collection), SQLBind(key), SQLBind(bytes), SQLBind(fields), SQLLiteral.numeric("1"), SQLBind(time))
                .onConflict(with: ["module", "collection", "key"]) { update in
                    update
                        .set(excludedValueOf: "value")
                        .set(excludedValueOf: "index_fields")
                        .set(excludedValueOf: "updated_at")
                        .set(SQLIdentifier("version"), to: nextVersion)
                }
                .returning("version")
                .first()
        case 0?:
            row = try await database.insert(into: records)
                .columns(insertedColumns)
                .values(SQLBind(module), SQLBind(collection), SQLBind(key), SQLBind(bytes), SQLBind(fields), SQLLiteral.numeric("1"), SQLBind(time))
                .ignoringConflicts(with: ["module", "collection", "key"])
                .returning("version")
                .first()
        case let expected?:
            row = try await database.update(records)
                .set("value", to: bytes)
                .set("index_fields", to: fields)
                .set("updated_at", to: time)
                .set(SQLIdentifier("version"), to: nextVersion)
                .where("module", .equal, module)
                .where("collection", .equal, collection)
                .where("key", .equal, key)
                .where("version", .equal, Int64(expected))
                .returning("version")
                .first()
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
        let row = try await database.select()
            .columns(recordColumns)
            .from(records)
            .where("module", .equal, module)
            .where("collection", .equal, collection)
            .where("key", .equal, key)
            .first()
        return try row.map { try record(from: $0, collection: collection) }
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
        let rows = try await pageSelect(module: module, collection: collection, where: conditions, limit: limit + 1, after: after, on: database).all()
        let found = try rows.prefix(limit).map { try record(from: $0, collection: collection) }
        let nextKey = rows.count > limit ? found.last?.key : nil
        return QueryPage(records: found, nextKey: nextKey)
    }

    /// The statement of ``query(module:collection:where:limit:after:on:)``, reading up to `limit` rows.
    static func pageSelect(
        module: String, collection: String, where conditions: [String: String], limit: Int, after: String?,
        on database: any SQLDatabase
    ) -> SQLSelectBuilder {
        let select: SQLSelectBuilder
        let sorted = conditions.sorted { $0.key < $1.key }
        if let first = sorted.first {
            let anchor = "i0"
            select = database.select()
                .columns(recordColumns.map { SQLColumn($0, table: "r") })
                .from(SQLIdentifier(index), as: SQLIdentifier(anchor))
            for (position, condition) in sorted.dropFirst().enumerated() {
                let alias = "i\(position + 1)"
                select.join(SQLAlias(SQLIdentifier(index), as: SQLIdentifier(alias)), method: SQLJoinMethod.inner, on: allOf([
                    sameRecord(alias, anchor),
                    equal(SQLColumn("field", table: alias), condition.key),
                    equal(SQLColumn("value", table: alias), condition.value),
                ]))
            }
            select.join(SQLAlias(SQLIdentifier(records), as: SQLIdentifier("r")), method: SQLJoinMethod.inner, on: sameRecord("r", anchor))
                .where(equal(SQLColumn("module", table: anchor), module))
                .where(equal(SQLColumn("collection", table: anchor), collection))
                .where(equal(SQLColumn("field", table: anchor), first.key))
                .where(equal(SQLColumn("value", table: anchor), first.value))
            if let after {
                select.where(SQLBinaryExpression(SQLColumn("key", table: anchor), .greaterThan, SQLBind(after)))
            }
            select.orderBy(SQLColumn("key", table: anchor))
        } else {
            select = database.select()
                .columns(recordColumns)
                .from(records)
                .where("module", .equal, module)
                .where("collection", .equal, collection)
            if let after {
                select.where("key", .greaterThan, after)
            }
            select.orderBy("key")
        }
        return select.limit(limit)
    }

    /// Deletes a record and its index entries.
    /// - Returns: Whether the record existed.
    /// - Throws: The driver's error.
    static func delete(module: String, collection: String, key: String, on database: any SQLDatabase) async throws -> Bool {
        let deleted = try await database.delete(from: records)
            .where("module", .equal, module)
            .where("collection", .equal, collection)
            .where("key", .equal, key)
            .returning("version")
            .first()
        guard deleted != nil else { return false }
        try await database.delete(from: index)
            .where("module", .equal, module)
            .where("collection", .equal, collection)
            .where("key", .equal, key)
            .run()
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
            try await database.delete(from: index)
                .where("module", .equal, module)
                .where("collection", .equal, collection)
                .where("key", .equal, key)
                .run()
        }
        guard !fields.isEmpty else { return }
        let insert = database.insert(into: index).columns("module", "collection", "key", "field", "value")
        for (field, value) in fields.sorted(by: { $0.key < $1.key }) {
            insert.values(SQLBind(module), SQLBind(collection), SQLBind(key), SQLBind(field), SQLBind(value))
        }
        try await insert.run()
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

    private static func sameRecord(_ table: String, _ other: String) -> any SQLExpression {
        allOf(["module", "collection", "key"].map {
            SQLBinaryExpression(SQLColumn($0, table: table), .equal, SQLColumn($0, table: other))
        })
    }

    private static func equal(_ column: SQLColumn, _ value: String) -> any SQLExpression {
        SQLBinaryExpression(column, .equal, SQLBind(value))
    }

    private static func allOf(_ conditions: [any SQLExpression]) -> any SQLExpression {
        conditions.dropFirst().reduce(conditions[0]) { SQLBinaryExpression($0, .and, $1) }
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    private static func encode(_ index: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(index), as: UTF8.self)
    }

    private static func decodeIndex(_ text: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }
}
