import Foundation
public import KnockDomain

/// What the host recorded, at `issue-cert`, about an integrator or a department: its role, the
/// part of the organisation it may reach, and the permissions it holds
/// (``CommunityMethods/permission(for:)``). An integrator or department without a grant may call
/// nothing that touches residents.
public struct AccessGrant: Sendable, Hashable, Codable {
    /// The certificate identity, `knock://integrator/hospital-a`.
    public var identity: String
    /// `integrator` or `department`.
    public var role: String
    /// Where it may reach, as ``Scope/description`` writes it (`community:qinghe`).
    public var scope: String
    /// The permissions it holds.
    public var permissions: [String]

    /// What an integrator may do unless told otherwise: raise and read needs (the 12345 hotline,
    /// a hospital's discharge feed), raise and read alerts, read residents (masked contacts) and
    /// coverage.
    public static let integratorPermissions = ["alerts.read", "alerts.write", "coverage.read", "needs.read", "needs.write", "residents.read"]
    /// What a department (好样的工作队) may do unless told otherwise: read and work the needs
    /// dispatched to it, read residents.
    public static let departmentPermissions = ["needs.read", "needs.write", "residents.read"]
    /// Every permission a grant may hold.
    public static let knownPermissions: Set<String> = [
        "alerts.read", "alerts.write", "coverage.read", "keypersons.read", "lists.export", "needs.read", "needs.write", "plans.read",
        "residents.read", "residents.write", "visits.write",
    ]

    /// Creates a grant, checking it.
    /// - Parameters:
    ///   - identity: The certificate identity.
    ///   - role: `integrator` or `department`.
    ///   - scope: Where it may reach (`community:qinghe`).
    ///   - permissions: What it may do; empty for the role's defaults.
    /// - Throws: ``DomainError`` `invalidArgument` for an unknown role, a malformed scope or an
    ///   unknown permission.
    public init(identity: String, role: String, scope: String, permissions: [String] = []) throws {
        let defaults: [String]
        switch role {
        case "integrator": defaults = Self.integratorPermissions
        case "department": defaults = Self.departmentPermissions
        default: throw DomainError(.invalidArgument, "only integrators and departments get a recorded role and scope, not \(role)")
        }
        _ = try Scope(parsing: scope)
        for permission in permissions where !Self.knownPermissions.contains(permission) {
            throw DomainError(.invalidArgument, "\"\(permission)\" is not a permission: \(Self.knownPermissions.sorted().joined(separator: ", "))")
        }
        self.identity = identity
        self.role = role
        self.scope = scope
        self.permissions = permissions.isEmpty ? defaults : Array(Set(permissions)).sorted()
    }

    /// The scope as the store applies it.
    /// - Throws: ``DomainError`` if the recorded scope is malformed (a hand-edited file).
    public func parsedScope() throws -> Scope {
        try Scope(parsing: scope)
    }
}
