import KnockDomain

/// One page of ``KnockDatabase/residents(caller:tag:limit:after:)``.
public struct ResidentPage: Sendable, Hashable {
    /// The residents, in id order (byte order of the ids' UTF-8).
    public var residents: [Resident]
    /// The id to pass as `after` for the next page, or `nil` on the last page.
    public var nextAfter: String?

    /// Creates a page.
    /// - Parameters:
    ///   - residents: The residents, in id order.
    ///   - nextAfter: Where the next page starts after, or `nil` on the last page.
    public init(residents: [Resident], nextAfter: String?) {
        self.residents = residents
        self.nextAfter = nextAfter
    }
}
