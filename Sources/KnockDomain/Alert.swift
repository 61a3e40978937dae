import Foundation

/// Something someone must act on now: a missed daily knock, a child not collected, a vulnerable
/// resident not answering. Stays open until acknowledged.
public struct Alert: Sendable, Hashable, Codable {
    public var id: String
    public var residentID: String
    public var gridID: String
    public var communityID: String
    public var streetID: String
    public var urgency: Urgency
    public var message: String
    public var raisedBy: Provenance
    public var raisedAt: Date
    public var acknowledgedBy: Provenance?
    public var acknowledgedAt: Date?
    /// What the acknowledging member said they did.
    public var acknowledgement: String

    /// Whether nobody has acknowledged it yet.
    public var isOpen: Bool { acknowledgedAt == nil }

    /// Creates an alert.
    public init(
        id: String, residentID: String, gridID: String, communityID: String, streetID: String, urgency: Urgency,
        message: String, raisedBy: Provenance, raisedAt: Date, acknowledgedBy: Provenance? = nil,
        acknowledgedAt: Date? = nil, acknowledgement: String = ""
    ) {
        self.id = id
        self.residentID = residentID
        self.gridID = gridID
        self.communityID = communityID
        self.streetID = streetID
        self.urgency = urgency
        self.message = message
        self.raisedBy = raisedBy
        self.raisedAt = raisedAt
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgement = acknowledgement
    }
}
