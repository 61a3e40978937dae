import KnockModuleKit

/// Who a caller is in the terms of a case: its provenance, and whether it is staff.
extension ModuleCaller {
    /// `member:m-2`, `integrator:hotline`, `admin:chen`.
    var provenance: String { "\(kind):\(id)" }

    /// Whether the caller is a staff member of `community`, or an administrator.
    func isStaff(of community: String) -> Bool {
        isAdministrator || (kind == "member" && roles.contains("staff") && communityID == community)
    }
}
