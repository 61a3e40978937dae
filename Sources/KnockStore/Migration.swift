import SQLKit

/// One change to the store's schema, applied once per database, in a transaction, at start.
///
/// A migration is written once for both engines, with SQLKit's builders or SQL both engines
/// read alike. Its `id` is recorded in the `knock_migrations` table when it is applied; ids never
/// change and migrations are never edited once released: a later change is a new migration.
struct Migration: Sendable {
    /// The migration's permanent name, ordered by its number (`0001_module_records`).
    let id: String
    /// Applies the change, inside the transaction that records it.
    let apply: @Sendable (any SQLDatabase) async throws -> Void
}

/// The table that records applied migrations.
enum MigrationTable {
    static let name = "knock_migrations"
    /// The name of PostgreSQL's advisory lock held while migrations are applied (one per
    /// database: stores in different schemas of one database start one after the other).
    static let lockName = "knock.migrations"
}
