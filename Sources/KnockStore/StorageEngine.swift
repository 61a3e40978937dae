import SQLKit

/// What the store needs of a database engine: a session (one connection, the caller's alone
/// until the closure returns) and transactions on it. Everything above runs the same SQL on
/// every engine.
protocol StorageEngine: Sendable {
    /// Runs `body` on one connection that no other task uses meanwhile.
    /// - Throws: What `body` throws; the driver's error if no connection can be had.
    func withSession<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result

    /// Runs `body`, which only reads, on a connection that sees the last commit; it may run while
    /// a write is under way.
    /// - Throws: What `body` throws; the driver's error if no connection can be had.
    func withReadSession<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result

    /// Runs `body` in one transaction: committed if `body` returns, rolled back if it throws.
    /// - Parameters:
    ///   - lock: What else the transaction holds until it ends, for every process on the database.
    ///   - body: The transaction's work.
    /// - Throws: What `body` throws; the driver's error if the transaction cannot begin or commit.
    func transaction<Result: Sendable>(holding lock: TransactionLock, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result

    /// Runs `body` as one write of the community core: atomic and durable when it returns, like
    /// a transaction of its own, but possibly sharing its transaction (and its sync to disk) with
    /// other writes in flight (SQLite's group commit). `body` must only read and write: no
    /// transaction control.
    /// - Parameters:
    ///   - lock: What else the write holds until its transaction ends (on an engine whose
    ///     writes take turns, as SQLite's do, that is already the case for every lock).
    ///   - isolation: ``GroupCommit/Isolation/refusesBeforeWriting`` for a body that refuses
    ///     (``DomainError``, ``StoreError`` `versionConflict`) only before its first write (it
    ///     then needs no savepoint).
    ///   - body: The reads and writes.
    /// - Throws: What `body` throws (nothing it wrote is kept); the driver's error if the
    ///   transaction cannot begin or commit.
    func write<Result: Sendable>(
        holding lock: TransactionLock, isolation: GroupCommit.Isolation, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result

    /// Writes `item` together with the other items of `group` in flight, by one call of
    /// `write`: like ``write(isolation:_:)``, but the items share their statements too (the
    /// visits arriving together, inserted by one statement).
    /// - Parameters:
    ///   - item: What to write.
    ///   - group: Names the items written together (one item type per group).
    ///   - written: Hears of the item's value once it is written: before the transaction
    ///     commits where writes queue for a shared transaction (SQLite), so what needs the value
    ///     can start while the commit is under way; else once committed. Called at most once,
    ///     and not for a refused item; it must only hand the value on.
    ///   - write: Writes items of the group; returns one result per item, in order: its value,
    ///     or a ``DomainError`` for an item it wrote nothing of. What it throws fails them all.
    /// - Throws: The item's refusal; the driver's error if the transaction cannot begin or commit.
    func writeGrouped<Item: Sendable, Value: Sendable>(
        _ item: Item, group: String, written: (@Sendable (Value) -> Void)?,
        _ write: @escaping @Sendable ([Item], any SQLDatabase) async throws -> [Result<Value, any Error>]
    ) async throws -> Value
}

/// A lock a transaction holds until it ends, beyond the rows it writes.
enum TransactionLock: Sendable {
    /// Only the rows it writes.
    case none
    /// The right to apply migrations: hosts starting together apply each migration once.
    case migrations
    /// The right to run a batch for this module: batches writing several records in different
    /// orders would otherwise deadlock each other.
    case batches(module: String)
}

extension StorageEngine {
    /// Reads on an ordinary session (a pool's connections all read alike).
    func withReadSession<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await withSession(body)
    }

    /// Runs `body` as one write, in a savepoint of its own if it shares a transaction.
    func write<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await write(holding: .none, isolation: .savepoint, body)
    }

    /// Runs `body` as one write that holds only the rows it writes.
    func write<Result: Sendable>(
        isolation: GroupCommit.Isolation, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        try await write(holding: .none, isolation: isolation, body)
    }

    /// Runs `body` in one transaction that holds only the rows it writes.
    func transaction<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await transaction(holding: .none, body)
    }
}

extension SQLDatabase {
    /// Runs one statement given as text (transaction control and pragmas; everything else goes
    /// through SQLKit's builders).
    func execute(_ statement: String) async throws {
        try await execute(sql: SQLRaw(statement)) { _ in }
    }

    /// Begins a transaction with `begin`, runs `body`, commits; rolls back if anything throws.
    /// - Parameters:
    ///   - begin: Begins the transaction (and takes its locks).
    ///   - rollbackFailed: Called when the rollback itself fails, so the engine can discard a
    ///     connection left in an unknown state.
    ///   - body: The transaction's work.
    /// - Throws: What `body` or `COMMIT` throws (the rollback's own error is passed to `rollbackFailed`).
    func inTransaction<Result: Sendable>(
        begin: (any SQLDatabase) async throws -> Void,
        rollbackFailed: (any Error) async -> Void,
        _ body: @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        try await begin(self)
        do {
            let result = try await body(self)
            try await execute("COMMIT")
            return result
        } catch {
            do {
                try await execute("ROLLBACK")
            } catch let rollbackError {
                await rollbackFailed(rollbackError)
            }
            throw error
        }
    }
}
