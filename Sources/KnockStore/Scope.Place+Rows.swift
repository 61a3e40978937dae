import KnockDomain

extension Scope.Place {
    /// Where `resident` lives.
    init(_ resident: Resident) {
        self.init(streetID: resident.streetID, communityID: resident.communityID, gridID: resident.gridID)
    }

    /// Where `household` is.
    init(_ household: Household) {
        self.init(streetID: household.streetID, communityID: household.communityID, gridID: household.gridID)
    }
}
