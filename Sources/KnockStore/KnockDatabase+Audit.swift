import Foundation
import KnockDomain

/// The audit log: every read of residents' personal data, who made it, through which method.
/// Entries are written by the reads themselves (``resident(id:caller:)``, ``residents(caller:tag:limit:after:)``,
/// ``visits(caller:residentID:from:to:limit:)``, ``needs(caller:filter:limit:after:)``,
/// ``keyPersons(caller:dueOn:timeZone:)``, …), in the same write as the read.
extension KnockDatabase {
    /// The latest audit entries, newest first.
    /// - Parameters:
    ///   - limit: At most this many (1 to 1000).
    ///   - residentID: Only reads of this resident's data.
    /// - Returns: The entries.
    /// - Throws: ``DomainError`` `invalidArgument` for a limit out of range; ``StoreError`` if the
    ///   database fails.
    public func auditLog(limit: Int = 100, residentID: String? = nil) async throws -> [AuditEntry] {
        try Validation.limit(limit)
        return try await communityRead("reading the audit log") { database in
            try await AuditLog.entries(limit: limit, residentID: residentID, on: database)
        }
    }

    /// Records a read of residents' personal data that a method module served from its own
    /// store (the core's own reads record themselves). The residents must be within `scope`.
    /// - Parameters:
    ///   - entry: Who read what, through which module.
    ///   - scope: The module's scope.
    /// - Returns: The entry as stored.
    /// - Throws: ``DomainError`` `notFound` naming a resident outside the scope or unknown,
    ///   `invalidArgument` for no residents; ``StoreError`` if the database fails.
    @discardableResult
    public func recordRead(_ entry: AuditEntry, within scope: Scope) async throws -> AuditEntry {
        guard !entry.residentIDs.isEmpty else { throw DomainError(.invalidArgument, "a read names the residents whose data was shown") }
        try KnockDatabase.checkLookup(entry.residentIDs, of: "residents")
        return try await communityWrite("recording \(entry.action)") { database in
            let found = try await CommunityTables.residents(ids: entry.residentIDs, within: scope, on: database)
            if let missing = entry.residentIDs.first(where: { found[$0] == nil }) {
                throw DomainError(.notFound, "resident \(missing) is not known here")
            }
            try await AuditLog.record(entry, on: database)
            return entry
        }
    }
}
