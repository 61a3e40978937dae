import SQLKit

extension SQLDatabase {
    /// Holds the named locks until the transaction ends, taking them in name order so that two
    /// transactions taking several never wait for each other in a cycle.
    ///
    /// On PostgreSQL these are advisory locks: a read-modify-write of a need or of a resident's
    /// key-person entry runs alone, as it would on SQLite. SQLite needs none: `BEGIN IMMEDIATE`
    /// already holds the file's one write lock.
    func holdLocks(_ names: some Sequence<String>) async throws {
        guard dialect.name == "postgresql" else { return }
        for name in Set(names).sorted() {
            try await raw("SELECT pg_advisory_xact_lock(hashtextextended(\(bind: "knock.community." + name), 0))").run()
        }
    }
}
