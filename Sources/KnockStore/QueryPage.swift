/// One page of a ``KnockDatabase/query(module:collection:where:limit:after:)``.
public struct QueryPage: Sendable, Hashable {
    /// The matching records, in key order (byte order of the keys' UTF-8).
    public var records: [StoredRecord]
    /// The key to pass as `after` for the next page, or `nil` when there are no more matches.
    public var nextKey: String?

    /// Creates a page.
    /// - Parameters:
    ///   - records: The records, in key order.
    ///   - nextKey: Where the next page starts after, or `nil` on the last page.
    public init(records: [StoredRecord], nextKey: String?) {
        self.records = records
        self.nextKey = nextKey
    }
}
