import KnockModuleKit

/// Who may do what with pairs: members of the elder's community (any role but department
/// officer, whose work is the needs dispatched to departments) and the administrator; other
/// modules may read.
struct PairingAuthority: Sendable {
    let caller: ModuleCaller

    /// "member:m-2", "admin:chen", "module:canteen".
    var by: String { "\(caller.kind):\(caller.id)" }

    var isMember: Bool { caller.kind == "member" }

    /// - Throws: ``RPCError`` `PERMISSION_DENIED` unless the caller may work with pairs in `community`.
    func requireWork(in community: String) throws {
        if caller.isAdministrator { return }
        guard isMember else {
            throw RPCError(code: .permissionDenied, message: "\(caller.identity) may not change pairs: only members of the community and the administrator may")
        }
        guard !caller.roles.subtracting(["departmentOfficer"]).isEmpty else {
            throw RPCError(code: .permissionDenied, message: "member \(caller.id) is a department officer: pairing elders is the community's grid work")
        }
        guard caller.communityID == community else {
            throw RPCError(code: .permissionDenied, message: "member \(caller.id) works in \(caller.communityID.isEmpty ? "no community" : caller.communityID), not \(community)")
        }
    }

    /// - Throws: ``RPCError`` `PERMISSION_DENIED` unless the caller may read pairs of `community`.
    func requireRead(of community: String) throws {
        if caller.kind == "module" { return }
        try requireWork(in: community)
    }

    /// The community a list is about: a member's own; the one an administrator or module names.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` if an administrator names none,
    ///   `PERMISSION_DENIED` if a member names another.
    func community(named requested: String) throws -> String {
        if isMember {
            guard requested.isEmpty || requested == caller.communityID else {
                throw RPCError(code: .permissionDenied, message: "member \(caller.id) works in \(caller.communityID), not \(requested)")
            }
            try requireWork(in: caller.communityID)
            return caller.communityID
        }
        guard !requested.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "community_id is required for a caller who is not a member")
        }
        try requireRead(of: requested)
        return requested
    }
}
