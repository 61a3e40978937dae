import Foundation
import Testing
import KnockStore

@Suite("Opening and closing")
struct OpeningTests {
    @Test("malformed PostgreSQL URLs fail with invalidArgument and never show the password", arguments: [
        ("mysql://knock:s3cret@localhost/knock", "scheme"),
        ("postgres://knock:s3cret@/knock", "no host"),
        ("postgres://:s3cret@localhost/knock", "no user name"),
        ("postgres://knock:s3cret@localhost/knock?sslmode=sometimes", "sslmode sometimes"),
        ("postgres://knock:s3cret@localhost/knock?schema=a-b", "schema a-b"),
        ("postgres://knock:s3cret@localhost/knock?colour=blue", "unknown query item colour"),
    ])
    func malformedURL(url: String, says: String) async throws {
        let error = await #expect(throws: StoreError.self) {
            try await KnockDatabase.withDatabase(at: .postgres(url: url), logger: TestStore.quiet) { _ in }
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(says) == true, "\(error?.message ?? "")")
        #expect(error.map { "\($0)" }?.contains("s3cret") == false)
    }

    @Test("an unreachable PostgreSQL fails at once with unavailable")
    func unreachablePostgres() async throws {
        let started = ContinuousClock.now
        let error = await #expect(throws: StoreError.self) {
            try await KnockDatabase.withDatabase(at: .postgres(url: "postgres://knock:s3cret@127.0.0.1:1/knock?sslmode=disable"), logger: TestStore.quiet) { _ in }
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("postgres://knock:***@127.0.0.1:1/knock") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("s3cret") == false)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("a location describes itself without the password")
    func locationDescription() {
        #expect("\(StoreLocation.postgres(url: "postgres://knock:s3cret@db.example:5433/knock?sslmode=require"))" == "postgres://knock:***@db.example:5433/knock?sslmode=require")
        #expect("\(StoreLocation.sqlite(path: "/var/lib/knock/store.sqlite"))" == "sqlite:/var/lib/knock/store.sqlite")
    }

    @Test("an SQLite file that cannot be created fails with unavailable")
    func unopenableSQLite() async throws {
        let error = await #expect(throws: StoreError.self) {
            try await KnockDatabase.withDatabase(at: .sqlite(path: "/nonexistent-knock-dir/store.sqlite"), logger: TestStore.quiet) { _ in }
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("/nonexistent-knock-dir/store.sqlite") == true)
    }

    @Test("a store used after its scope has ended fails with unavailable", arguments: TestEngine.all)
    func useAfterClose(engine: TestEngine) async throws {
        try await TestStore.with(engine) { store in
            let escaped = try await store.open { database in
                try await database.put(module: "m", collection: "c", key: "k", value: [])
                return database
            }
            let error = await #expect(throws: StoreError.self) {
                try await escaped.get(module: "m", collection: "c", key: "k")
            }
            #expect(error?.code == .unavailable)
            // Writes too: on SQLite their writer task finds the connection's thread stopped and
            // still ends, with the same answer.
            let write = await #expect(throws: StoreError.self) {
                try await escaped.put(module: "m", collection: "c", key: "k2", value: [])
            }
            #expect(write?.code == .unavailable)
            let batch = await #expect(throws: StoreError.self) {
                try await escaped.batch(module: "m", operations: [.put(collection: "c", key: "k3", value: [])])
            }
            #expect(batch?.code == .unavailable)
        }
    }

    @Test("an error in the scope closes the store and comes out unchanged", arguments: TestEngine.all)
    func errorInScope(engine: TestEngine) async throws {
        struct Stop: Error {}
        try await TestStore.with(engine) { store in
            await #expect(throws: Stop.self) {
                try await store.open { database in
                    try await database.put(module: "m", collection: "c", key: "k", value: bytes("before the error"))
                    throw Stop()
                }
            }
            let record = try await store.open { database in
                try await database.get(module: "m", collection: "c", key: "k")
            }
            #expect(record?.value == bytes("before the error"))
        }
    }
}
