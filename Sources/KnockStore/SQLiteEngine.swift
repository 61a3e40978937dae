import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization

/// SQLite in a local file: one writing connection, lent to one task at a time, on a thread of
/// its own, and a few reading connections beside it.
///
/// SQLite allows one writer at a time anyway; one connection behind an ``AsyncMutex`` makes
/// every transaction's statements run together, in arrival order. The file is in write-ahead-log
/// mode with `synchronous=FULL`: a transaction is in the log, synced to disk, before `COMMIT`
/// returns, so an acknowledged write survives a killed process and a power cut.
///
/// SQLite blocks its thread while it syncs or waits for another process's lock; the engine's own
/// one-thread pool keeps that from starving anyone else's blocking work, and two stores on one
/// file from starving each other.
final class SQLiteEngine: StorageEngine {
    private let connection: SQLiteConnection
    private let threadPool: NIOThreadPool
    /// Where transactions run: on the writing connection's own thread (see ``ThreadPoolExecutor``).
    private let writerExecutor: ThreadPoolExecutor
    /// Connections for reads that need no write lock: in write-ahead-log mode a reader sees the
    /// last commit and neither waits for writers nor holds them up, so lookups do not queue
    /// behind a batch's sync. Several, each lent to one task at a time, so that reads overlap.
    /// A read session runs on the readers' threads (``ThreadPoolExecutor``): it gives its
    /// connection back as soon as its statements are done, not when its caller's thread (an
    /// event loop busy with other calls) next gets to it, which made every method's lookups
    /// for every visit wait in line for a connection.
    private let readers: [Reader]
    /// Which reader the next read asks for.
    private let nextReader = Atomic(0)
    /// The threads the readers' statements run on.
    private let readerThreadPool: NIOThreadPool
    /// Where read sessions run: on the readers' threads (see ``ThreadPoolExecutor``).
    private let readerExecutor: ThreadPoolExecutor

    /// A reading connection and the lock that lends it.
    private struct Reader: Sendable {
        let connection: SQLiteConnection
        let lock = AsyncMutex()
    }

    /// How many reading connections an engine opens.
    static let readerCount = 4
    private let path: String
    private let lock = AsyncMutex()
    private let groupCommit: GroupCommit
    private let closed = Mutex(false)
    private let logger: Logger

    /// How long a statement waits for another process holding the file's write lock.
    static let busyTimeoutMilliseconds = 5_000

    /// Pages the write-ahead log holds before a commit copies them into the database file
    /// (SQLite's default is 1,000). Fewer, larger checkpoints: a page that many transactions
    /// wrote is copied and synced once, and the one writer stops for a checkpoint a quarter as
    /// often. The log grows to about 16 MB (4 KiB pages) before it starts over.
    static let checkpointPages = 4_000

    private init(connection: SQLiteConnection, threadPool: NIOThreadPool, readers: [SQLiteConnection], readerThreadPool: NIOThreadPool, path: String, logger: Logger) {
        self.connection = connection
        self.threadPool = threadPool
        let writerExecutor = ThreadPoolExecutor(threadPool: threadPool)
        self.writerExecutor = writerExecutor
        self.groupCommit = GroupCommit(executor: writerExecutor)
        self.readers = readers.map { Reader(connection: $0) }
        self.readerThreadPool = readerThreadPool
        self.readerExecutor = ThreadPoolExecutor(threadPool: readerThreadPool)
        self.path = path
        self.logger = logger
    }

    /// Opens (creating if absent) the database file at `path` and sets it up.
    /// - Throws: ``StoreError`` `unavailable` if the file cannot be opened or set up.
    static func open(path: String, logger: Logger, eventLoopGroup: any EventLoopGroup) async throws -> SQLiteEngine {
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(
                storage: .file(path: path),
                threadPool: threadPool,
                logger: logger,
                on: eventLoopGroup.any()
            ).get()
        } catch {
            await stop(threadPool)
            throw StoreError(code: .unavailable, message: "the SQLite file \(path) cannot be opened: \(error)", cause: error)
        }
        do {
            let database = connection.sql(queryLogLevel: nil)
            // First, so that what follows waits for another process instead of failing.
            try await database.execute("PRAGMA busy_timeout = \(busyTimeoutMilliseconds)")
            let mode = try await database.raw("PRAGMA journal_mode = WAL").first(decodingColumn: "journal_mode", as: String.self)
            if mode?.lowercased() != "wal" {
                logger.warning("SQLite cannot use write-ahead logging for this file; it keeps journal mode \(mode ?? "unknown")", metadata: ["path": "\(path)"])
            }
            try await database.execute("PRAGMA synchronous = FULL")
            // The pages a request's savepoint may have to restore stay in memory: in a
            // transaction shared by many requests they outgrow SQLite's in-memory journal and
            // went to a temporary file, a system call per page.
            try await database.execute("PRAGMA temp_store = MEMORY")
            try await database.execute("PRAGMA wal_autocheckpoint = \(checkpointPages)")
        } catch {
            await closeIgnoringCancellation(connection)
            await stop(threadPool)
            throw StoreError(code: .unavailable, message: "the SQLite file \(path) cannot be set up: \(error)", cause: error)
        }
        let readerThreadPool = NIOThreadPool(numberOfThreads: 2)
        readerThreadPool.start()
        var readers: [SQLiteConnection] = []
        do {
            for _ in 0..<readerCount {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), threadPool: readerThreadPool, logger: logger, on: eventLoopGroup.any()).get()
                readers.append(reader)
                let database = reader.sql(queryLogLevel: nil)
                try await database.execute("PRAGMA busy_timeout = \(busyTimeoutMilliseconds)")
                try await database.execute("PRAGMA query_only = 1")
            }
        } catch {
            for reader in readers { await closeIgnoringCancellation(reader) }
            await closeIgnoringCancellation(connection)
            await stop(threadPool)
            await stop(readerThreadPool)
            throw StoreError(code: .unavailable, message: "the SQLite file \(path) cannot be opened for reading: \(error)", cause: error)
        }
        return SQLiteEngine(connection: connection, threadPool: threadPool, readers: readers, readerThreadPool: readerThreadPool, path: path, logger: logger)
    }

    func withReadSession<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        // In turn: the readers share the reads out evenly.
        let reader = readers[nextReader.wrappingAdd(1, ordering: .relaxed).oldValue % readers.count]
        return try await withTaskExecutorPreference(readerExecutor) {
            try await reader.lock.withLock {
                guard !closed.withLock({ $0 }) else {
                    throw StoreError(code: .unavailable, message: "the store \(path) is closed")
                }
                return try await body(reader.connection.sql(queryLogLevel: nil))
            }
        }
    }

    func withSession<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await lock.withLock {
            try await body(openDatabase())
        }
    }

    func transaction<Result: Sendable>(holding lock: TransactionLock, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        // BEGIN IMMEDIATE takes the file's write lock at once (waiting up to the busy timeout for
        // another process), so a transaction never fails halfway for want of it. That lock also
        // covers every `TransactionLock`: one writer at a time, whatever it writes.
        try await self.lock.withLock {
            try await inTransaction(body)
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE … COMMIT`; the caller holds the lock.
    ///
    /// In a task of its own, which the caller's cancellation does not reach: SQLite's statements
    /// refuse to start in a cancelled task, so a transaction whose task was cancelled midway
    /// could neither finish nor roll back, and the connection stayed inside it, failing every
    /// later transaction. The task runs on the connection's thread (``ThreadPoolExecutor``).
    private func inTransaction<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        let database = try openDatabase()
        return try await Task(executorPreference: writerExecutor) {
            try await self.run(body, on: database)
        }.value
    }

    /// Runs `body` in one `BEGIN IMMEDIATE … COMMIT` on `database`, in the calling task, which
    /// holds the lock and must not be cancelled before the transaction ends.
    private func run<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result, on database: any SQLDatabase) async throws -> Result {
        let logger = self.logger
        return try await database.inTransaction(begin: { try await $0.execute("BEGIN IMMEDIATE") }, rollbackFailed: { error in
            logger.error("SQLite could not roll back a failed transaction", metadata: ["error": "\(error)"])
        }, body)
    }

    /// Writes through ``GroupCommit``: concurrent writes share one `BEGIN IMMEDIATE … COMMIT`,
    /// each in a savepoint of its own, so one sync of the log makes a batch of them durable.
    /// `lock` needs nothing more: the batch is the file's one writer.
    func write<Result: Sendable>(
        holding lock: TransactionLock, isolation: GroupCommit.Isolation, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        try await groupCommit.submit(isolation: isolation, in: batchTransaction, body)
    }

    func writeGrouped<Item: Sendable, Value: Sendable>(
        _ item: Item, group: String, written: (@Sendable (Value) -> Void)?,
        _ write: @escaping @Sendable ([Item], any SQLDatabase) async throws -> [Result<Value, any Error>]
    ) async throws -> Value {
        try await groupCommit.submit(grouped: item, group: group, in: batchTransaction, written: written, write)
    }

    /// How many writes wait for the next batch.
    var queuedWrites: Int { groupCommit.waiting }

    /// The transaction a group commit's batch runs in, in the group commit's writer task: on the
    /// connection's thread already, and never cancelled.
    private func batchTransaction<Result: Sendable>(_ batch: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await lock.withLock(waitsThroughCancellation: true) {
            try await run(batch, on: try openDatabase())
        }
    }

    /// The connection, for the task holding the lock.
    /// - Throws: ``StoreError`` `unavailable` once the store is closed.
    private func openDatabase() throws -> any SQLDatabase {
        guard !closed.withLock({ $0 }) else {
            throw StoreError(code: .unavailable, message: "the store \(path) is closed")
        }
        return connection.sql(queryLogLevel: nil)
    }

    /// Closes `connection`, even in a cancelled task (the async `close()` of sqlite-nio gives up
    /// when its task is cancelled, and a connection left open traps in its `deinit`).
    private static func closeIgnoringCancellation(_ connection: SQLiteConnection) async {
        do {
            try await connection.close().get()
        } catch {
            // sqlite-nio closes the handle whatever sqlite3_close says; only a stopped thread
            // pool fails here, and then there is nothing more to do.
        }
    }

    /// Stops the engine's thread once its queued work is done.
    private static func stop(_ threadPool: NIOThreadPool) async {
        try? await threadPool.shutdownGracefully()
    }

    /// Waits for the task using the connection, then closes it. Later calls fail as unavailable.
    func close() async {
        do {
            try await lock.withLock(waitsThroughCancellation: true) {
                guard !closed.withLock({ $0 }) else { return }
                closed.withLock { $0 = true }
                for reader in readers {
                    try? await reader.lock.withLock(waitsThroughCancellation: true) {
                        await Self.closeIgnoringCancellation(reader.connection)
                    }
                }
                await Self.stop(readerThreadPool)
                await Self.closeIgnoringCancellation(connection)
                await Self.stop(threadPool)
            }
        } catch {
            logger.warning("SQLite did not close cleanly", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }
}
