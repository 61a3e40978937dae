import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit

/// The host's store: SQLite in a local file by default, or a shared PostgreSQL, through one code
/// path (SQLKit) and one schema.
///
/// Open it for a scope with ``withDatabase(at:logger:eventLoopGroup:_:)``: the store is opened,
/// its migrations are applied, the closure runs, and the store is closed when it returns or
/// throws. Calls made after that fail with ``StoreError/Code/unavailable``.
///
/// ```swift
/// try await KnockDatabase.withDatabase(at: .sqlite(path: "/var/lib/knock/store.sqlite")) { store in
///     try await store.put(module: "canteen", collection: "orders", key: "o-1", value: bytes)
///     // … run the host …
/// }
/// ```
///
/// All methods may be called from many tasks at once. SQLite runs one at a time on its one
/// connection (it has one writer anyway); PostgreSQL runs them on a pool of connections.
///
/// The community core's writes (visits, needs, key persons, alerts, suggestions, plans, and the
/// audit entries of personal-data reads) are each atomic and durable when they return. On
/// SQLite, writes made at the same time share one transaction and one sync to disk (group
/// commit, each in a savepoint of its own, so one failing does not fail the others).
public final class KnockDatabase: Sendable {
    let engine: any StorageEngine
    /// Where the store is.
    public let location: StoreLocation
    let logger: Logger

    /// The most connections a PostgreSQL store opens.
    public static let postgresConnections = 8

    init(engine: any StorageEngine, location: StoreLocation, logger: Logger) {
        self.engine = engine
        self.location = location
        self.logger = logger
    }

    /// Opens the store at `location`, applies its migrations, runs `body` with it, and closes it.
    ///
    /// SQLite: the file is created if absent (its directory must exist), in write-ahead-log
    /// mode. PostgreSQL: one connection applies the migrations, so a wrong URL, password or
    /// database fails here at once; then a pool of up to ``postgresConnections`` serves `body`.
    /// Several hosts may start on one PostgreSQL database together: each migration is applied
    /// once.
    /// - Parameters:
    ///   - location: The engine and where.
    ///   - logger: Where the store logs (migrations applied, connections failing). Queries are
    ///     not logged: their values are residents' data.
    ///   - eventLoopGroup: The event loops the drivers run on.
    ///   - body: Uses the store. It must not keep the store past its return.
    /// - Returns: What `body` returns.
    /// - Throws: ``StoreError`` `invalidArgument` for a malformed URL, `unavailable` if the
    ///   database cannot be opened or migrated; what `body` throws.
    public static func withDatabase<Result: Sendable>(
        at location: StoreLocation,
        logger: Logger = Logger(label: "knock.store"),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (KnockDatabase) async throws -> Result
    ) async throws -> Result {
        var logger = logger
        logger[metadataKey: "store"] = "\(location)"
        switch location {
        case .sqlite(let path):
            return try await withSQLite(path: path, location: location, logger: logger, eventLoopGroup: eventLoopGroup, body)
        case .postgres(let url):
            return try await withPostgres(url: url, location: location, logger: logger, eventLoopGroup: eventLoopGroup, body)
        }
    }

    /// The ids of the migrations recorded as applied in this store, in order.
    /// - Throws: ``StoreError`` `unavailable` if the database cannot be reached.
    public func appliedMigrations() async throws -> [String] {
        try await translatingErrors("reading the applied migrations") {
            try await Migration.recordedIDs(on: engine)
        }
    }

    /// The ids of the migrations this version of Knock knows, in the order it applies them.
    public static var knownMigrations: [String] {
        Migration.all.map(\.id)
    }

    /// Runs `work`, turning a driver's error into a ``StoreError``.
    func translatingErrors<Result>(_ action: @autoclosure () -> String, _ work: () async throws -> Result) async throws -> Result {
        do {
            return try await work()
        } catch {
            throw StoreError.from(error, while: action())
        }
    }

    // MARK: Opening

    private static func withSQLite<Result: Sendable>(
        path: String, location: StoreLocation, logger: Logger, eventLoopGroup: any EventLoopGroup,
        _ body: (KnockDatabase) async throws -> Result
    ) async throws -> Result {
        let engine = try await SQLiteEngine.open(path: path, logger: logger, eventLoopGroup: eventLoopGroup)
        let result: Result
        do {
            do {
                _ = try await Migration.apply(Migration.all, on: engine, logger: logger)
            } catch {
                throw StoreError.from(error, while: "applying the migrations of \(location)")
            }
            result = try await body(KnockDatabase(engine: engine, location: location, logger: logger))
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
        return result
    }

    private static func withPostgres<Result: Sendable>(
        url: String, location: StoreLocation, logger: Logger, eventLoopGroup: any EventLoopGroup,
        _ body: (KnockDatabase) async throws -> Result
    ) async throws -> Result {
        let parsed = try PostgresURL(parsing: url)
        let configuration: PostgresConnection.Configuration
        do {
            configuration = try parsed.connectionConfiguration()
        } catch {
            throw StoreError(code: .invalidArgument, message: "\(location): the TLS settings cannot be used: \(error)", cause: error)
        }
        try await migratePostgres(parsed, configuration: configuration, location: location, logger: logger, eventLoopGroup: eventLoopGroup)

        let client = PostgresClient(
            configuration: parsed.clientConfiguration(maximumConnections: postgresConnections),
            eventLoopGroup: eventLoopGroup,
            backgroundLogger: logger
        )
        let database = KnockDatabase(engine: PostgresEngine(connections: .pool(client), logger: logger), location: location, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
            group.addTask { await client.run() }
            // Cancelling `run` closes the pool's connections; the group then waits for it.
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    /// Applies migrations over one connection of its own: a wrong URL, password or database
    /// fails at once and clearly (a pool would keep retrying).
    private static func migratePostgres(
        _ url: PostgresURL, configuration: PostgresConnection.Configuration, location: StoreLocation,
        logger: Logger, eventLoopGroup: any EventLoopGroup
    ) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(on: eventLoopGroup.any(), configuration: configuration, id: 0, logger: logger)
        } catch {
            throw StoreError.from(error, while: "connecting to \(location)")
        }
        do {
            // Held until the connection closes: hosts starting together create the schema and the
            // migrations table one after the other (PostgreSQL's IF NOT EXISTS is not safe
            // against a concurrent create).
            try await connection.sql(queryLogLevel: nil)
                .raw("SELECT pg_advisory_lock(hashtextextended(\(bind: MigrationTable.lockName), 0))")
                .run()
            if let schema = url.schema {
                try await createSchemaIfAbsent(schema, on: connection)
            }
            _ = try await Migration.apply(Migration.all, on: PostgresEngine(connections: .single(connection), logger: logger), logger: logger)
        } catch {
            try? await connection.close()
            throw StoreError.from(error, while: "applying the migrations of \(location)")
        }
        try? await connection.close()
    }

    /// Creates the schema named in the URL unless it exists (checked first, so a user who may
    /// not create schemas can still use one made for it).
    private static func createSchemaIfAbsent(_ schema: String, on connection: PostgresConnection) async throws {
        let database = connection.sql(queryLogLevel: nil)
        let exists = try await database.select()
            .column(SQLLiteral.numeric("1"))
            .from(SQLQualifiedTable("schemata", space: "information_schema"))
            .where("schema_name", .equal, schema)
            .first()
        if exists == nil {
            try await database.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
        }
    }
}
