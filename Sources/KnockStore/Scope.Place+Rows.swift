import KnockDomain

extension Scope.Place {
    /// Where `household` is.
    init(_ household: Household) {
        self.init(streetID: household.streetID, communityID: household.communityID, gridID: household.gridID)
    }
}
