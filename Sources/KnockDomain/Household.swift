/// A household (户): an address in a grid, and when its people are usually in.
public struct Household: Sendable, Hashable, Codable {
    public var id: String
    /// The address as written on the roster: 青和居 3栋2单元401.
    public var address: String
    public var gridID: String
    public var communityID: String
    public var streetID: String
    public var availability: [AvailabilityWindow]

    /// Creates a household.
    public init(id: String, address: String, gridID: String, communityID: String, streetID: String, availability: [AvailabilityWindow] = []) {
        self.id = id
        self.address = address
        self.gridID = gridID
        self.communityID = communityID
        self.streetID = streetID
        self.availability = availability
    }
}
