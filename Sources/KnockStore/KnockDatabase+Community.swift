import Foundation
import KnockDomain
import SQLKit

/// What every part of the community core's storage shares: how it writes (one atomic, durable
/// write, through group commit on SQLite), how it reads, and how a read of personal data is
/// audited in the same call.
extension KnockDatabase {
    /// Runs `body` as one write (``StorageEngine/write(isolation:_:)``).
    /// - Throws: ``DomainError`` as `body` throws it; ``StoreError`` for the database's failures.
    func communityWrite<Result: Sendable>(
        _ action: @autoclosure () -> String, isolation: GroupCommit.Isolation = .savepoint,
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        try await translatingStoreErrors(action()) {
            try await engine.write(isolation: isolation, body)
        }
    }

    /// Runs `body` on a session: reads that need no audit.
    /// - Throws: ``DomainError`` as `body` throws it; ``StoreError`` for the database's failures.
    func communityRead<Result: Sendable>(
        _ action: @autoclosure () -> String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        try await translatingStoreErrors(action()) {
            try await engine.withReadSession(body)
        }
    }

    /// Runs a read of residents' personal data and records it in the audit log, in one write:
    /// the caller gets the data only once the audit entry is durable. A read that returns no
    /// resident's data records nothing.
    /// - Parameters:
    ///   - action: What is read, as the audit log names it (`residents.get`).
    ///   - caller: Who reads, through which module.
    ///   - body: The read; returns its value and the residents whose data it holds.
    /// - Throws: What `body` throws (then nothing is recorded); ``StoreError`` for the database's failures.
    func auditedRead<Result: Sendable>(
        _ action: String, caller: Caller,
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> (Result, [String])
    ) async throws -> Result {
        guard caller.audited else {
            // The host's own lookup, whose result never leaves it: a plain read.
            return try await communityRead(action) { database in try await body(database).0 }
        }
        let now = Date()
        return try await communityWrite(action) { database in
            let (value, residentIDs) = try await body(database)
            try await AuditLog.record(
                AuditEntry(at: now, by: caller.provenance, action: action, residentIDs: residentIDs, via: caller.via),
                on: database
            )
            return value
        }
    }

    /// Runs `work`, passing the domain's errors through and turning a driver's into a ``StoreError``.
    func translatingStoreErrors<Result>(_ action: @autoclosure () -> String, _ work: () async throws -> Result) async throws -> Result {
        do {
            return try await work()
        } catch let error as DomainError {
            throw error
        } catch {
            throw StoreError.from(error, while: action())
        }
    }
}
