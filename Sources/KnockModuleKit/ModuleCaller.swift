/// Who called one of a module's own methods, as the host vouches for it.
///
/// Calls reach a module's methods only through the host, which resolves the caller's certificate
/// and roster entry and passes them on in the call's metadata (any such metadata the caller sent
/// itself is dropped). A module decides from this who may see or do what: only mediators read a
/// party's statements; an authorised entry records who authorised it.
public struct ModuleCaller: Sendable, Hashable {
    /// The caller's identity: `knock://member/m-12`, `knock://integrator/hospital`, …
    public var identity: String
    /// The member's roles (`staff`, `partyMember`, `residentBackbone`, `volunteer`,
    /// `sunkDownCadre`, `departmentOfficer`); empty for a caller who is not a member.
    public var roles: Set<String>
    /// The member's community; empty for a caller who is not a member.
    public var communityID: String
    /// The member's grids.
    public var gridIDs: [String]

    /// Creates a caller.
    public init(identity: String, roles: Set<String> = [], communityID: String = "", gridIDs: [String] = []) {
        self.identity = identity
        self.roles = roles
        self.communityID = communityID
        self.gridIDs = gridIDs
    }

    /// The kind in the identity: `member`, `admin`, `integrator`, `department`, `module`, `host`.
    public var kind: String {
        identity.hasPrefix("knock://") ? String(identity.dropFirst(8).prefix { $0 != "/" }) : ""
    }

    /// The id in the identity: `m-12` for `knock://member/m-12`.
    public var id: String {
        guard let slash = identity.dropFirst(8).firstIndex(of: "/") else { return "" }
        return String(identity[identity.index(after: slash)...])
    }

    /// Whether the caller is the deployment's administrator (or the host itself).
    public var isAdministrator: Bool { kind == "admin" || kind == "host" }

    /// The metadata keys the host sets; a caller's own values for them never reach a module.
    public static let identityKey = "knock-caller"
    static let rolesKey = "knock-caller-roles"
    static let communityKey = "knock-caller-community"
    static let gridsKey = "knock-caller-grids"

    /// Whether `key` is one of the keys the host sets.
    public static func isCallerKey(_ key: String) -> Bool {
        key.hasPrefix(identityKey)
    }

    /// Adds the caller to `metadata` (the host does this for every call it forwards to a module;
    /// tests of a module's methods do it by hand).
    public func stamp(_ metadata: inout Metadata) {
        metadata.removeAll(where: Self.isCallerKey)
        metadata.add(Self.identityKey, identity)
        if !roles.isEmpty { metadata.add(Self.rolesKey, roles.sorted().joined(separator: ",")) }
        if !communityID.isEmpty { metadata.add(Self.communityKey, communityID) }
        if !gridIDs.isEmpty { metadata.add(Self.gridsKey, gridIDs.joined(separator: ",")) }
    }

    /// The caller the host vouched for in `metadata`, or `nil` if there is none.
    public init?(metadata: Metadata) {
        guard let identity = metadata[Self.identityKey], !identity.isEmpty else { return nil }
        func list(_ key: String) -> [String] {
            (metadata[key] ?? "").split(separator: ",").map(String.init)
        }
        self.init(identity: identity, roles: Set(list(Self.rolesKey)), communityID: metadata[Self.communityKey] ?? "", gridIDs: list(Self.gridsKey))
    }
}

extension ServerContext {
    /// Who called, as the host vouches for it; `nil` if the call did not come through a host.
    public var caller: ModuleCaller? { ModuleCaller(metadata: metadata) }

    /// Who called.
    /// - Throws: ``RPCError`` `UNAUTHENTICATED` if the call did not come through a host that
    ///   vouched for its caller.
    public func requireCaller() throws -> ModuleCaller {
        guard let caller else {
            throw RPCError(code: .unauthenticated, message: "\(method) needs a caller the host vouches for")
        }
        return caller
    }
}

extension ModuleCaller {
    /// The caller as records name it: `member:m-2`, `admin:chen`, `integrator:hotline`.
    public var provenance: String { "\(kind):\(id)" }

    /// Whether the caller is a member (an app or the CLI of someone on the roster).
    public var isMember: Bool { kind == "member" }

    /// Whether the caller is a staff member of `community`, or an administrator.
    public func isStaff(of community: String) -> Bool {
        isAdministrator || (isMember && roles.contains("staff") && communityID == community)
    }

    /// Checks the caller may do a community's own work in `community`: an administrator, or a
    /// member of that community in any role but department officer (whose work is the needs
    /// dispatched to departments).
    /// - Parameters:
    ///   - community: The community the work is in.
    ///   - work: What the work is, for the error ("work the canteen").
    /// - Throws: ``RPCError`` `PERMISSION_DENIED` saying why not.
    public func requireCommunityWork(in community: String, _ work: String) throws {
        if isAdministrator { return }
        guard isMember else {
            throw RPCError(code: .permissionDenied, message: "\(identity) may not \(work): only members of the community and the administrator may")
        }
        guard !roles.subtracting(["departmentOfficer"]).isEmpty else {
            throw RPCError(code: .permissionDenied, message: "member \(id) is a department officer: to \(work) is the community's own work")
        }
        guard communityID == community else {
            throw RPCError(code: .permissionDenied, message: "member \(id) works in \(communityID.isEmpty ? "no community" : communityID), not \(community)")
        }
    }

    /// The community a request is about: a member's own (naming another is refused); the one an
    /// administrator or another module names.
    /// - Parameters:
    ///   - requested: The community the request names (may be empty for a member).
    ///   - work: What the work is, for the error.
    ///   - modulesMayRead: Whether another module may read it without being a member.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` if a caller who is not a member names none,
    ///   `PERMISSION_DENIED` if a member names another community or the caller may not.
    public func community(named requested: String, _ work: String, modulesMayRead: Bool = false) throws -> String {
        if isMember {
            guard requested.isEmpty || requested == communityID else {
                throw RPCError(code: .permissionDenied, message: "member \(id) works in \(communityID), not \(requested)")
            }
            try requireCommunityWork(in: communityID, work)
            return communityID
        }
        guard !requested.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "community_id is required for a caller who is not a member")
        }
        if !(modulesMayRead && kind == "module") { try requireCommunityWork(in: requested, work) }
        return requested
    }
}
