import KnockDomain

/// One page of ``KnockDatabase/needs(caller:filter:limit:after:)``.
public struct NeedPage: Sendable, Hashable {
    /// The needs, in id order, each with its full history.
    public var needs: [Need]
    /// The id to pass as `after` for the next page, or `nil` on the last page.
    public var nextAfter: String?

    /// Creates a page.
    /// - Parameters:
    ///   - needs: The needs, in id order.
    ///   - nextAfter: Where the next page starts after, or `nil` on the last page.
    public init(needs: [Need], nextAfter: String?) {
        self.needs = needs
        self.nextAfter = nextAfter
    }
}
