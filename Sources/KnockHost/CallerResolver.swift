import Foundation
import KnockDomain
import KnockModuleKit
import KnockPKI
import KnockStore
import Synchronization

/// Turns the identity in a caller's certificate into a ``Caller``: who it is and the scope it may
/// see. Every community call starts here, so no read or write runs without a scope.
///
/// | certificate | scope |
/// |---|---|
/// | `knock://admin/…`, `knock://host/…` | the whole deployment |
/// | `knock://member/<id>` with the staff role | the member's community |
/// | `knock://member/<id>` otherwise | the member's grids |
///
/// A member may call only the methods whose permission one of the member's roles grants
/// (``RolePermissions``).
/// | `knock://module/<id>` | the communities that enabled it (`modules.<id>.communities`; none listed: the whole deployment), for the methods whose permission its descriptor asks for (``CommunityMethods/permission(for:)``) |
/// | `knock://integrator/<id>`, `knock://department/<id>` | the scope recorded at `issue-cert` (``AccessGrant``), for the permissions recorded with it; without a grant, nothing |
///
/// A member's record is read once and kept for ``memberCacheSeconds``, so a busy app does not
/// cost a query per call; a member removed from the roster loses access within that time.
final class CallerResolver: Sendable {
    let database: KnockDatabase
    let deployment: Scope
    /// What a registered module may do: the permissions it asked for and the communities that
    /// enabled it (empty: every community); `nil` for a module not registered.
    let moduleGrant: @Sendable (String) -> (permissions: Set<String>, communities: [String])?
    /// The grant recorded for an integrator's or department's identity URI.
    let grants: @Sendable (String) -> AccessGrant?
    private let members = Mutex<[String: (member: Member, readAt: ContinuousClock.Instant)]>([:])

    /// The caller ``CallAuthorization`` resolved for the call being served, so the handler does
    /// not resolve it again; with the call's method and the certificate's fingerprint, so it
    /// never stands for another call that happens to run in the same task.
    @TaskLocal static var resolved: (method: String, fingerprint: String, caller: Caller)?

    /// How long a member's record is trusted before it is read again.
    static let memberCacheSeconds = 30

    init(
        database: KnockDatabase, deployment: Scope, grants: @escaping @Sendable (String) -> AccessGrant?,
        moduleGrant: @escaping @Sendable (String) -> (permissions: Set<String>, communities: [String])?
    ) {
        self.database = database
        self.deployment = deployment
        self.grants = grants
        self.moduleGrant = moduleGrant
    }

    /// The caller of the call `context` belongs to.
    /// - Throws: ``RPCError`` `PERMISSION_DENIED` for a caller without a Knock identity or a
    ///   member certificate whose member is not on the roster, or a module calling a method its
    ///   descriptor did not ask permission for.
    func caller(of context: ServerContext) async throws -> Caller {
        if let resolved = Self.resolved, resolved.method == context.method, resolved.fingerprint == context.peer?.sha256Fingerprint {
            return resolved.caller
        }
        let identities = (context.peer?.uriSANs ?? []).compactMap(KnockIdentity.init(uri:))
        guard let identity = identities.first else {
            throw RPCError(code: .permissionDenied, message: "\(context.method) needs a Knock identity (knock://kind/id) in the caller's certificate")
        }
        switch identity.kind {
        case .administrator, .host:
            return Caller(provenance: .administrator(identity.id), scope: deployment, seesContacts: true)
        case .member:
            let member = try await member(identity.id)
            if let needed = CommunityMethods.permission(for: context.method), !RolePermissions.permissions(of: member.roles).contains(needed) {
                let roles = member.roles.map(\.rawValue).sorted().joined(separator: ", ")
                throw RPCError(code: .permissionDenied, message: "member \(member.id) (\(roles)) may not call \(context.method): no role of theirs grants \"\(needed)\"")
            }
            let scope: Scope = member.roles.contains(.staff) ? .community(member.communityID) : .grids(Set(member.gridIDs))
            return Caller(provenance: .member(member.id), scope: scope, seesContacts: RolePermissions.seesContacts(member.roles))
        case .module:
            let needed = CommunityMethods.permission(for: context.method) ?? context.method
            guard let granted = moduleGrant(identity.id), granted.permissions.contains(needed) else {
                throw RPCError(code: .permissionDenied, message: "module \(identity.id) may not call \(context.method): its descriptor does not ask for the \"\(needed)\" permission")
            }
            let scope = granted.communities.isEmpty ? deployment : Scope(level: .community, unitIDs: Set(granted.communities))
            return Caller(provenance: .module(identity.id), scope: scope, via: identity.id, seesContacts: granted.permissions.contains("residents.contact"))
        case .integrator, .department:
            let grant = try grant(of: identity, calling: context.method)
            if let needed = CommunityMethods.permission(for: context.method), !grant.permissions.contains(needed) {
                throw RPCError(code: .permissionDenied, message: "\(identity.uri) may not call \(context.method): its grant does not hold \"\(needed)\" (it holds \(grant.permissions.joined(separator: ", ")))")
            }
            return Caller(provenance: Provenance(identity: identity) ?? .integrator(identity.id), scope: try scope(of: grant))
        default:
            throw RPCError(code: .permissionDenied, message: "\(identity.uri) is not a kind of caller this host serves")
        }
    }

    /// The caller of `context` as a module's own method sees it (``ModuleCaller``): the identity
    /// and, for a member, the roles, community and grids.
    /// - Throws: ``RPCError`` `PERMISSION_DENIED` for a caller without a Knock identity or a
    ///   member not on the roster.
    func moduleCaller(of context: ServerContext) async throws -> ModuleCaller {
        let identities = (context.peer?.uriSANs ?? []).compactMap(KnockIdentity.init(uri:))
        guard let identity = identities.first else {
            throw RPCError(code: .permissionDenied, message: "\(context.method) needs a Knock identity (knock://kind/id) in the caller's certificate")
        }
        switch identity.kind {
        case .member:
            break
        case .integrator, .department:
            let grant = try grant(of: identity, calling: context.method)
            let scope = try scope(of: grant)
            return ModuleCaller(identity: identity.uri, roles: [grant.role], communityID: scope.level == .community ? scope.unitIDs.first ?? "" : "",
                                gridIDs: scope.level == .grid ? scope.unitIDs.sorted() : [])
        default:
            return ModuleCaller(identity: identity.uri)
        }
        let member = try await member(identity.id)
        return ModuleCaller(identity: identity.uri, roles: Set(member.roles.map(\.rawValue)), communityID: member.communityID, gridIDs: member.gridIDs)
    }

    private func grant(of identity: KnockIdentity, calling method: String) throws -> AccessGrant {
        guard let grant = grants(identity.uri) else {
            throw RPCError(code: .permissionDenied, message: "\(identity.uri) may not call \(method): this host recorded no role and scope for it (knock-host issue-cert --kind \(identity.kind.rawValue) --scope …)")
        }
        return grant
    }

    private func scope(of grant: AccessGrant) throws -> Scope {
        do {
            return try grant.parsedScope()
        } catch {
            throw RPCError(code: .permissionDenied, message: "the grant of \(grant.identity) has a malformed scope \"\(grant.scope)\"")
        }
    }

    private func member(_ id: String) async throws -> Member {
        let now = ContinuousClock.now
        if let cached = members.withLock({ $0[id] }), cached.readAt.duration(to: now) < .seconds(Self.memberCacheSeconds) {
            return cached.member
        }
        guard let member = try await database.member(id: id) else {
            throw RPCError(code: .permissionDenied, message: "member \(id) is not on the roster of this deployment")
        }
        members.withLock { $0[id] = (member, now) }
        return member
    }
}
