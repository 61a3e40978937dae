import Foundation
import Logging
import SQLKit

extension Migration {
    /// Applies every migration of `migrations` not yet recorded in `knock_migrations`, in order,
    /// each in its own transaction with its record. Safe when several hosts start at once: the
    /// migration lock makes the later ones wait, then find the migration applied.
    /// - Parameters:
    ///   - migrations: All migrations, oldest first.
    ///   - engine: The database.
    ///   - logger: Where applied migrations are logged.
    /// - Returns: The ids applied now (empty when the database was up to date).
    /// - Throws: The driver's error of the migration that failed; those before it stay applied.
    static func apply(_ migrations: [Migration], on engine: some StorageEngine, logger: Logger) async throws -> [String] {
        try await engine.withSession { database in
            try await database.create(table: MigrationTable.name)
                .ifNotExists()
                .column("id", type: .text, .primaryKey(autoIncrement: false), .notNull)
                .column("applied_at", type: .bigint, .notNull)
                .run()
        }
        var applied: [String] = []
        for migration in migrations {
            let appliedNow = try await engine.transaction(holding: .migrations) { database in
                let recorded = try await database.select()
                    .column("id")
                    .from(MigrationTable.name)
                    .where("id", .equal, migration.id)
                    .first()
                guard recorded == nil else { return false }
                try await migration.apply(database)
                try await database.insert(into: MigrationTable.name)
                    .columns("id", "applied_at")
                    .values(SQLBind(migration.id), SQLBind(Int64(Date().timeIntervalSince1970 * 1000)))
                    .run()
                return true
            }
            if appliedNow {
                logger.info("applied store migration", metadata: ["migration": "\(migration.id)"])
                applied.append(migration.id)
            }
        }
        let known = Set(migrations.map(\.id))
        let unknown = try await recordedIDs(on: engine).filter { !known.contains($0) }
        if !unknown.isEmpty {
            logger.warning("the store has migrations this version of Knock does not know: a newer version has used it", metadata: ["migrations": "\(unknown.joined(separator: ", "))"])
        }
        return applied
    }

    /// The ids recorded in `knock_migrations`, in id order.
    /// - Throws: The driver's error.
    static func recordedIDs(on engine: some StorageEngine) async throws -> [String] {
        try await engine.withSession { database in
            try await database.select()
                .column("id")
                .from(MigrationTable.name)
                .orderBy("id")
                .all(decodingColumn: "id", as: String.self)
        }
    }
}
