/// Who is asking, and within which scope: every read and write of the community core carries one,
/// so a query returns only what that caller may see and every change records who made it.
public struct Caller: Sendable, Hashable {
    /// Who, for provenance and audit.
    public var provenance: Provenance
    public var scope: Scope
    /// The method module a read goes through, if any (for the audit log).
    public var via: String?
    /// Whether reads of personal data are recorded in the audit log. Off only for the host's own
    /// lookups whose results never leave it (finding a visit's household, say).
    public var audited: Bool
    /// Whether the caller's role needs residents' phone numbers and emergency contacts unmasked
    /// (a member who calls residents does; a volunteer does not, see ``PhoneMask``).
    public var seesContacts: Bool

    /// Creates a caller.
    public init(provenance: Provenance, scope: Scope, via: String? = nil, audited: Bool = true, seesContacts: Bool = false) {
        self.provenance = provenance
        self.scope = scope
        self.via = via
        self.audited = audited
        self.seesContacts = seesContacts
    }

    /// The same caller for a lookup whose result the host keeps to itself: not audited.
    public var unaudited: Caller {
        var caller = self
        caller.audited = false
        return caller
    }
}
