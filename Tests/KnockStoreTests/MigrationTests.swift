import Foundation
import SQLKit
import Testing
@testable import KnockStore

@Suite("Migrations")
struct MigrationTests {
    @Test("applied once at start; reopening applies nothing again and keeps the records", arguments: TestEngine.all)
    func appliedOnce(engine: TestEngine) async throws {
        try await TestStore.with(engine) { store in
            try await store.open { database in
                #expect(try await database.appliedMigrations() == KnockDatabase.knownMigrations)
                try await database.put(module: "m", collection: "c", key: "k", value: bytes("kept"))
            }
            try await store.open { database in
                // Recorded once each: a second run would have failed on the table it creates, or
                // recorded the id twice.
                #expect(try await database.appliedMigrations() == KnockDatabase.knownMigrations)
                let record = try await database.get(module: "m", collection: "c", key: "k")
                #expect(record?.value == bytes("kept"))
                #expect(record?.version == 1)
            }
        }
    }

    @Test("the migration list starts with the module records")
    func knownMigrations() {
        #expect(KnockDatabase.knownMigrations.first == "0001_module_records")
        #expect(Set(KnockDatabase.knownMigrations).count == KnockDatabase.knownMigrations.count)
    }

    @Test("several stores opened on one database at once apply each migration once", arguments: TestEngine.all)
    func concurrentStarts(engine: TestEngine) async throws {
        try await TestStore.with(engine) { store in
            try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await store.open { database in try await database.appliedMigrations() }
                    }
                }
                for try await applied in group {
                    #expect(applied == KnockDatabase.knownMigrations)
                }
            }
        }
    }

    @Test("SQLite keeps its file in write-ahead-log mode, synced at every commit, checkpointed every 4,000 pages, savepoints in memory")
    func sqliteUsesWAL() async throws {
        try await TestStore.withDatabase(.sqlite) { database in
            let mode = try await database.engine.withSession { sql in
                try await sql.raw("PRAGMA journal_mode").first(decodingColumn: "journal_mode", as: String.self)
            }
            #expect(mode == "wal")
            let synchronous = try await database.engine.withSession { sql in
                try await sql.raw("PRAGMA synchronous").first(decodingColumn: "synchronous", as: Int.self)
            }
            #expect(synchronous == 2) // FULL
            let (checkpoint, tempStore) = try await database.engine.withSession { sql in
                (try await sql.raw("PRAGMA wal_autocheckpoint").first(decodingColumn: "wal_autocheckpoint", as: Int.self),
                 try await sql.raw("PRAGMA temp_store").first(decodingColumn: "temp_store", as: Int.self))
            }
            #expect(checkpoint == 4_000)
            #expect(tempStore == 2) // MEMORY
        }
    }
}
