import Foundation
import Logging
import SQLKit
@testable import KnockStore

/// A store of its own for one test: a SQLite file in a new temporary directory, or a new schema
/// in the PostgreSQL test database. Removed by ``remove()``.
struct TestStore: Sendable {
    let location: StoreLocation
    private let directory: URL?
    private let schema: String?

    /// Logs nothing: tests read what they check from the store itself.
    static let quiet = Logger(label: "knock.store.test") { _ in SwiftLogNoOpLogHandler() }

    init(_ engine: TestEngine) throws {
        let tag = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        switch engine {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("knock-store-\(tag)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            self.directory = directory
            self.schema = nil
            location = .sqlite(path: directory.appendingPathComponent("store.sqlite").path)
        case .postgres(let url):
            let schema = "knock_test_\(tag)"
            self.directory = nil
            self.schema = schema
            location = .postgres(url: url + (url.contains("?") ? "&" : "?") + "schema=\(schema)")
        }
    }

    /// Opens the store (applying migrations), runs `body`, closes it.
    func open<Result: Sendable>(_ body: (KnockDatabase) async throws -> Result) async throws -> Result {
        try await KnockDatabase.withDatabase(at: location, logger: Self.quiet, body)
    }

    /// Deletes the file or drops the schema.
    func remove() async throws {
        if let directory {
            try? FileManager.default.removeItem(at: directory)
        }
        if let schema {
            try await open { database in
                try await database.engine.withSession { sql in
                    try await sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run()
                }
            }
        }
    }

    /// Runs `body` with a new store on `engine`, then removes the store.
    static func with(_ engine: TestEngine, _ body: (TestStore) async throws -> Void) async throws {
        let store = try TestStore(engine)
        do {
            try await body(store)
        } catch {
            try? await store.remove()
            throw error
        }
        try await store.remove()
    }

    /// Runs `body` with a new, open store on `engine`, then closes and removes it.
    static func withDatabase(_ engine: TestEngine, _ body: (KnockDatabase) async throws -> Void) async throws {
        try await with(engine) { store in
            try await store.open(body)
        }
    }
}

/// The bytes of `text`.
func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}
