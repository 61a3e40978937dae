import Logging
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgreSQL: the pool of a `PostgresClient` (or, while migrations run at start, one
/// connection of its own).
///
/// Concurrent writes to one record are safe at PostgreSQL's default isolation (read committed):
/// every write is a single upsert or update that locks the record's row until its transaction
/// ends, and the version it returns is computed from the latest committed row. A transaction the
/// server aborts to break a deadlock or a serialization conflict wrote nothing and is run again,
/// up to ``attempts`` times.
struct PostgresEngine: StorageEngine {
    enum Connections: Sendable {
        /// The pool serving the store: each session leases a connection of its own.
        case pool(PostgresClient)
        /// One connection, for migrations at start, used by one task at a time.
        case single(PostgresConnection)
    }

    let connections: Connections
    let logger: Logger

    /// How many times a transaction runs when the server keeps aborting it as a deadlock victim.
    static let attempts = 3

    func withSession<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    func transaction<Result: Sendable>(holding lock: TransactionLock, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        let begin: @Sendable (any SQLDatabase) async throws -> Void = { database in
            try await database.execute("BEGIN")
            switch lock {
            case .none:
                break
            case .migrations:
                // Two hosts starting together: the second waits here, then finds the migration
                // applied. (The store's opening already holds it for the session; it nests.)
                try await database.raw("SELECT pg_advisory_xact_lock(hashtextextended(\(bind: MigrationTable.lockName), 0))").run()
            case .batches(let module):
                // A transaction-scoped advisory lock, released at COMMIT or ROLLBACK. Single puts
                // and deletes need none: each locks one record, and no cycle forms with one lock.
                try await database.raw("SELECT pg_advisory_xact_lock(hashtextextended(\(bind: "knock.batch." + module), 0))").run()
            }
        }
        var attempt = 1
        while true {
            do {
                return try await withConnection { connection in
                    try await connection.sql(queryLogLevel: nil).inTransaction(begin: begin, rollbackFailed: { [logger] error in
                        // A connection whose transaction state is unknown must not go back to the pool.
                        logger.error("PostgreSQL could not roll back a failed transaction; closing its connection", metadata: ["error": "\(String(reflecting: error))"])
                        try? await connection.close()
                    }, body)
                }
            } catch where attempt < Self.attempts && StoreError.isTransientConflict(error) {
                attempt += 1
                logger.debug("PostgreSQL aborted a transaction as a deadlock or serialization conflict; running it again", metadata: ["attempt": "\(attempt)"])
            }
        }
    }

    /// A transaction of its own on a pooled connection (the isolation does not matter: nothing
    /// else is in it): PostgreSQL already lets concurrent commits share a flush of its log, and
    /// eight connections write side by side. `written` hears of the value once committed: a
    /// transaction run again after a deadlock could write something else.
    func writeGrouped<Item: Sendable, Value: Sendable>(
        _ item: Item, group: String, written: (@Sendable (Value) -> Void)?,
        _ write: @escaping @Sendable ([Item], any SQLDatabase) async throws -> [Result<Value, any Error>]
    ) async throws -> Value {
        // Each write is a transaction of its own here: the group is the one item.
        let value = try await transaction(holding: .none) { database in
            guard let answer = try await write([item], database).first else {
                throw StoreError(code: .internal, message: "group \(group) answered nothing")
            }
            return try answer.get()
        }
        written?(value)
        return value
    }

    func write<Result: Sendable>(
        holding lock: TransactionLock, isolation: GroupCommit.Isolation, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        try await transaction(holding: lock, body)
    }

    private func withConnection<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        switch connections {
        case .pool(let client):
            return try await client.withConnection { connection in try await body(connection) }
        case .single(let connection):
            return try await body(connection)
        }
    }
}
