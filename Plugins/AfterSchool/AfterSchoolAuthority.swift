import KnockModuleKit

/// Who may work the after-school: members of the child's community (any role but department
/// officer) and the administrator.
struct AfterSchoolAuthority: Sendable {
    let caller: ModuleCaller

    /// "member:m-3", "admin:chen".
    var by: String { "\(caller.kind):\(caller.id)" }

    var isMember: Bool { caller.kind == "member" }

    /// - Throws: ``RPCError`` `PERMISSION_DENIED` unless the caller may work in `community`.
    func requireWork(in community: String) throws {
        if caller.isAdministrator { return }
        guard isMember else {
            throw RPCError(code: .permissionDenied, message: "\(caller.identity) may not work the after-school: only members of the community and the administrator may")
        }
        guard !caller.roles.subtracting(["departmentOfficer"]).isEmpty else {
            throw RPCError(code: .permissionDenied, message: "member \(caller.id) is a department officer: the after-school is the community's work")
        }
        guard caller.communityID == community else {
            throw RPCError(code: .permissionDenied, message: "member \(caller.id) works in \(caller.communityID.isEmpty ? "no community" : caller.communityID), not \(community)")
        }
    }

    /// The community a request is about: a member's own; the one an administrator names.
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
        try requireWork(in: requested)
        return requested
    }
}
