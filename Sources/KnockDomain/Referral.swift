import Foundation

/// A resident referred to a method module (a suggestion's `refer`): e.g. a dispute spotted in a
/// visit note, referred to `mediation`. Open until the module closes it.
public struct Referral: Sendable, Hashable, Codable {
    public var id: String
    public var residentID: String
    public var gridID: String
    public var communityID: String
    public var streetID: String
    /// The module referred to.
    public var toModule: String
    public var note: String
    /// Who referred (the suggesting method).
    public var referredBy: Provenance
    /// The visit it came from, if any.
    public var visitID: String?
    public var createdAt: Date
    public var closedAt: Date?

    /// Whether the module has not closed it yet.
    public var isOpen: Bool { closedAt == nil }

    /// Creates a referral.
    public init(
        id: String, residentID: String, gridID: String, communityID: String, streetID: String, toModule: String, note: String,
        referredBy: Provenance, visitID: String? = nil, createdAt: Date, closedAt: Date? = nil
    ) {
        self.id = id
        self.residentID = residentID
        self.gridID = gridID
        self.communityID = communityID
        self.streetID = streetID
        self.toModule = toModule
        self.note = note
        self.referredBy = referredBy
        self.visitID = visitID
        self.createdAt = createdAt
        self.closedAt = closedAt
    }
}
