import Foundation

/// One knock as recorded on the spot (随身记载). The ``id`` is chosen by the client, so a
/// retried record is stored once.
public struct Visit: Sendable, Hashable, Codable {
    /// Client-chosen id (a UUID from the app); the same id recorded twice is one visit.
    public var id: String
    /// Who knocked.
    public var memberID: String
    /// Whom.
    public var residentID: String
    public var householdID: String
    public var gridID: String
    public var communityID: String
    public var streetID: String
    /// When the knock happened (the app's clock), not when it reached the host.
    public var at: Date
    public var channel: Channel
    public var outcome: Outcome
    /// The person's situation as seen.
    public var observations: String
    /// Their opinions and suggestions.
    public var opinions: String
    /// What they asked for, one request per entry.
    public var requests: [String]

    /// Creates a visit.
    public init(
        id: String, memberID: String, residentID: String, householdID: String, gridID: String,
        communityID: String, streetID: String, at: Date, channel: Channel, outcome: Outcome,
        observations: String = "", opinions: String = "", requests: [String] = []
    ) {
        self.id = id
        self.memberID = memberID
        self.residentID = residentID
        self.householdID = householdID
        self.gridID = gridID
        self.communityID = communityID
        self.streetID = streetID
        self.at = at
        self.channel = channel
        self.outcome = outcome
        self.observations = observations
        self.opinions = opinions
        self.requests = requests
    }
}
