import KnockModuleKit

/// Who may work the canteen: members of the resident's community (any role but department
/// officer) and the administrator; other modules may read menus and counts.
struct CanteenAuthority: Sendable {
    let caller: ModuleCaller

    /// "member:m-2", "admin:chen".
    var by: String { "\(caller.kind):\(caller.id)" }

    var isMember: Bool { caller.kind == "member" }

    /// - Throws: ``RPCError`` `PERMISSION_DENIED` unless the caller may work in `community`.
    func requireWork(in community: String) throws {
        if caller.isAdministrator { return }
        guard isMember else {
            throw RPCError(code: .permissionDenied, message: "\(caller.identity) may not work the canteen: only members of the community and the administrator may")
        }
        guard !caller.roles.subtracting(["departmentOfficer"]).isEmpty else {
            throw RPCError(code: .permissionDenied, message: "member \(caller.id) is a department officer: the canteen is the community's work")
        }
        guard caller.communityID == community else {
            throw RPCError(code: .permissionDenied, message: "member \(caller.id) works in \(caller.communityID.isEmpty ? "no community" : caller.communityID), not \(community)")
        }
    }

    /// The community a request is about: a member's own; the one an administrator or a module names.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` if a caller who is not a member names none,
    ///   `PERMISSION_DENIED` if a member names another or the caller may not.
    func community(named requested: String, reading: Bool = false) throws -> String {
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
        if !(reading && caller.kind == "module") { try requireWork(in: requested) }
        return requested
    }
}
