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
}
