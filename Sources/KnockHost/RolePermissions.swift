import KnockDomain

/// What each member role may do through the community services, as the permissions of
/// ``CommunityMethods/permission(for:)``; scope then limits where.
///
/// | role | may |
/// |---|---|
/// | staff (社区工作人员) | everything but reading the audit log: import rosters, export lists, … |
/// | party member, resident backbone, volunteer, sunk-down cadre | the grid work: record visits, read the plan, the needs (and raise and work them), the key persons, alerts (and acknowledge them), coverage, residents, the members of the grid groups |
/// | department officer (好样的工作队) | the needs (read, and work them), residents |
///
/// A member with several roles has the union. The audit log is for administrators alone.
///
/// Residents' phone numbers and emergency contacts are shown whole to the roles that phone
/// residents (staff, party members, resident backbones, sunk-down cadres), masked to volunteers
/// and department officers (``PhoneMask``).
enum RolePermissions {
    static let gridWork: Set<String> = [
        "visits.write", "plans.read", "needs.read", "needs.write", "keypersons.read", "alerts.read", "alerts.write",
        "coverage.read", "residents.read", "members.read",
    ]

    /// The permissions `role` grants.
    static func permissions(of role: MemberRole) -> Set<String> {
        switch role {
        case .staff: gridWork.union(["residents.write", "lists.export"])
        case .partyMember, .residentBackbone, .volunteer, .sunkDownCadre: gridWork
        case .departmentOfficer: ["needs.read", "needs.write", "residents.read"]
        }
    }

    /// The permissions of a member with `roles`.
    static func permissions(of roles: Set<MemberRole>) -> Set<String> {
        roles.reduce(into: Set<String>()) { $0.formUnion(permissions(of: $1)) }
    }

    /// Whether a member with `roles` sees residents' contacts unmasked.
    static func seesContacts(_ roles: Set<MemberRole>) -> Bool {
        !roles.isDisjoint(with: [.staff, .partyMember, .residentBackbone, .sunkDownCadre])
    }
}
