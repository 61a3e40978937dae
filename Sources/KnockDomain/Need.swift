import Foundation

/// An entry of the resident-needs list (居民需求清单).
public struct Need: Sendable, Hashable, Codable {
    public var id: String
    public var residentID: String
    public var householdID: String
    public var gridID: String
    public var communityID: String
    public var streetID: String
    /// e.g. `meals`, `medicine`, `dispute`, `employment`, `repair`.
    public var category: String
    public var urgency: Urgency
    public var summary: String
    public var status: NeedStatus
    public var owner: NeedOwner?
    /// Who raised it: a member from a visit, a method module, an integrator.
    public var raisedBy: Provenance
    /// The visit it came from, if any.
    public var visitID: String?
    public var raisedAt: Date
    /// When it should be resolved by, from its urgency (``DuePolicy``).
    public var dueAt: Date
    public var resolvedAt: Date?
    /// 1 (very dissatisfied) … 5 (very satisfied), recorded at follow-up.
    public var satisfaction: Int?
    /// Every step, oldest first; the first is the raising.
    public var history: [NeedEvent]

    /// Creates a need.
    public init(
        id: String, residentID: String, householdID: String, gridID: String, communityID: String, streetID: String,
        category: String, urgency: Urgency, summary: String, status: NeedStatus = .open, owner: NeedOwner? = nil,
        raisedBy: Provenance, visitID: String? = nil, raisedAt: Date, dueAt: Date, resolvedAt: Date? = nil,
        satisfaction: Int? = nil, history: [NeedEvent] = []
    ) {
        self.id = id
        self.residentID = residentID
        self.householdID = householdID
        self.gridID = gridID
        self.communityID = communityID
        self.streetID = streetID
        self.category = category
        self.urgency = urgency
        self.summary = summary
        self.status = status
        self.owner = owner
        self.raisedBy = raisedBy
        self.visitID = visitID
        self.raisedAt = raisedAt
        self.dueAt = dueAt
        self.resolvedAt = resolvedAt
        self.satisfaction = satisfaction
        self.history = history
    }
}
