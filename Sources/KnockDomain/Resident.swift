/// A person living in a household. Name, phone, id number and emergency contact are personal
/// data: reads of them are audited and shown masked unless the caller's role needs them.
public struct Resident: Sendable, Hashable, Codable {
    public var id: String
    public var householdID: String
    public var name: String
    /// Year of birth; 0 if unknown.
    public var birthYear: Int
    public var tags: Set<ResidentTag>
    public var phone: String
    public var emergencyContact: Contact?
    /// Where the household is, copied from it so that scope checks need no join.
    public var gridID: String
    public var communityID: String
    public var streetID: String

    /// Creates a resident.
    public init(
        id: String, householdID: String, name: String, birthYear: Int = 0, tags: Set<ResidentTag> = [],
        phone: String = "", emergencyContact: Contact? = nil, gridID: String, communityID: String, streetID: String
    ) {
        self.id = id
        self.householdID = householdID
        self.name = name
        self.birthYear = birthYear
        self.tags = tags
        self.phone = phone
        self.emergencyContact = emergencyContact
        self.gridID = gridID
        self.communityID = communityID
        self.streetID = streetID
    }
}
