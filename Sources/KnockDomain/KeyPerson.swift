import Foundation

/// An entry of the key-persons list (重点人员清单): a resident knocked on at a set cadence.
public struct KeyPerson: Sendable, Hashable, Codable {
    public var residentID: String
    public var householdID: String
    public var gridID: String
    public var communityID: String
    public var streetID: String
    /// Why, each with who flagged it; never empty (a resident with no reason left is off the list).
    public var reasons: [KeyPersonReason]
    /// Knock at least every this many days (1 = daily, 每天敲): the shortest of the reasons'.
    public var cadenceDays: Int
    /// The member who knocks; `nil` lets the grid's member do it.
    public var assignedMemberID: String?
    /// The last knock that reached the resident (any channel, any outcome but no answer).
    public var lastKnockAt: Date?

    /// Creates an entry.
    public init(
        residentID: String, householdID: String, gridID: String, communityID: String, streetID: String,
        reasons: [KeyPersonReason], cadenceDays: Int, assignedMemberID: String? = nil, lastKnockAt: Date? = nil
    ) {
        self.residentID = residentID
        self.householdID = householdID
        self.gridID = gridID
        self.communityID = communityID
        self.streetID = streetID
        self.reasons = reasons
        self.cadenceDays = cadenceDays
        self.assignedMemberID = assignedMemberID
        self.lastKnockAt = lastKnockAt
    }
}
