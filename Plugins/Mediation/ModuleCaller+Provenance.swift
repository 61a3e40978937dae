import KnockModuleKit

/// A caller as the case history names it.
extension ModuleCaller {
    /// `member:m-2`, `admin:chen`.
    var provenance: String { "\(kind):\(id)" }
}
