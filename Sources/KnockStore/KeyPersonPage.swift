import KnockDomain

/// One page of ``KnockDatabase/keyPersons(caller:dueOn:communityID:timeZone:limit:after:)``.
public struct KeyPersonPage: Sendable, Hashable {
    /// The entries, in resident id order.
    public var entries: [KeyPerson]
    /// The resident id to pass as `after` for the next page, or `nil` on the last page.
    public var nextAfter: String?

    /// Creates a page.
    /// - Parameters:
    ///   - entries: The entries, in resident id order.
    ///   - nextAfter: Where the next page starts after, or `nil` on the last page.
    public init(entries: [KeyPerson], nextAfter: String?) {
        self.entries = entries
        self.nextAfter = nextAfter
    }
}
