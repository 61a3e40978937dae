import Foundation

/// One read of residents' personal data: who read what, when, and through which method.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var at: Date
    /// Who read.
    public var by: Provenance
    /// What was asked: `residents.get`, `needs.list`, `export.needs`.
    public var action: String
    /// The residents whose data was returned.
    public var residentIDs: [String]
    /// The method module the read went through, if any.
    public var via: String?

    /// Creates an entry.
    public init(at: Date, by: Provenance, action: String, residentIDs: [String], via: String? = nil) {
        self.at = at
        self.by = by
        self.action = action
        self.residentIDs = residentIDs
        self.via = via
    }
}
