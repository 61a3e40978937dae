import SQLKit

extension Migration {
    /// Every migration of the store, oldest first. Append only.
    static let all: [Migration] = [moduleRecords, community, keyPersonReasonEnds]

    /// Modules' records and their index.
    ///
    /// `knock_records` holds each record whole, its indexed fields included (as JSON), so a read
    /// is one row. `knock_record_index` holds one row per indexed field, only to find records:
    /// its index on (module, collection, field, value, key) answers an equality on a field in
    /// key order without sorting. Both are written in the same transaction.
    static let moduleRecords = Migration(id: "0001_module_records") { database in
        let name = byteOrdered(database)
        try await database.create(table: RecordTables.records)
            .column("module", type: .text, [.notNull] + name)
            .column("collection", type: .text, [.notNull] + name)
            .column("key", type: .text, [.notNull] + name)
            .column("value", type: .blob, .notNull)
            .column("index_fields", type: .text, .notNull)
            .column("version", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .primaryKey("module", "collection", "key")
            .run()
        try await database.create(table: RecordTables.index)
            .column("module", type: .text, [.notNull] + name)
            .column("collection", type: .text, [.notNull] + name)
            .column("key", type: .text, [.notNull] + name)
            .column("field", type: .text, [.notNull] + name)
            .column("value", type: .text, [.notNull] + name)
            .primaryKey("module", "collection", "key", "field")
            .run()
        try await database.create(index: RecordTables.indexLookup)
            .on(RecordTables.index)
            .column("module")
            .column("collection")
            .column("field")
            .column("value")
            .column("key")
            .run()
    }

    /// The collation that compares text by its bytes, so keys sort alike on both engines: SQLite
    /// compares bytes by default (`BINARY`); PostgreSQL follows the database's locale unless a
    /// column says `COLLATE "C"`.
    static func byteOrdered(_ database: any SQLDatabase) -> [SQLColumnConstraintAlgorithm] {
        database.dialect.name == "postgresql" ? [.collate(name: "C")] : []
    }
}
