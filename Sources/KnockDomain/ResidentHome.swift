/// Where a resident lives: the household a knock goes to, and the street, community and grid
/// that scopes judge it by. What placing a knock needs, without the rest of the resident.
public struct ResidentHome: Sendable, Hashable {
    /// The resident's id.
    public var residentID: String
    /// The household's id.
    public var householdID: String
    /// The street, community and grid.
    public var place: Scope.Place

    /// Creates a home.
    /// - Parameters:
    ///   - residentID: The resident's id.
    ///   - householdID: The household's id.
    ///   - place: The street, community and grid.
    public init(residentID: String, householdID: String, place: Scope.Place) {
        self.residentID = residentID
        self.householdID = householdID
        self.place = place
    }
}

extension Resident {
    /// Where the resident lives.
    public var home: ResidentHome {
        ResidentHome(residentID: id, householdID: householdID, place: Scope.Place(self))
    }
}

extension Scope.Place {
    /// Where `resident` lives, as scopes judge it.
    public init(_ resident: Resident) {
        self.init(streetID: resident.streetID, communityID: resident.communityID, gridID: resident.gridID)
    }
}
