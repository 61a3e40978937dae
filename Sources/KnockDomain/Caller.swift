/// Who is asking, and within which scope: every read and write of the community core carries one,
/// so a query returns only what that caller may see and every change records who made it.
public struct Caller: Sendable, Hashable {
    /// Who, for provenance and audit.
    public var provenance: Provenance
    public var scope: Scope
    /// The method module a read goes through, if any (for the audit log).
    public var via: String?

    /// Creates a caller.
    public init(provenance: Provenance, scope: Scope, via: String? = nil) {
        self.provenance = provenance
        self.scope = scope
        self.via = via
    }
}
