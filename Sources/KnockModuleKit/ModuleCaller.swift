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
