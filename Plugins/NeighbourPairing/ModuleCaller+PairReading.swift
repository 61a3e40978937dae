import KnockModuleKit

/// Who may read pairs and care tasks: besides whoever may change pairs, other modules (canteen
/// asks for an elder's pair to send a meal by the partner).
extension ModuleCaller {
    /// Checks the caller may read the pairs and care tasks of `community`: another module, or
    /// whoever may change pairs there (its members but department officers, the administrator).
    /// - Parameter community: The community the pairs or tasks are in.
    /// - Throws: ``RPCError`` `PERMISSION_DENIED` saying why not.
    func requireReadingPairs(in community: String) throws {
        if kind == "module" { return }
        try requireCommunityWork(in: community, PairingOffice.work)
    }
}
