import KnockDomain

/// One page of a list read in pages: the items in the list's order, and where the next page
/// starts.
public struct Page<Item: Sendable & Hashable>: Sendable, Hashable {
    /// The items, in the list's order.
    public var items: [Item]
    /// What to pass as `after` for the next page (the last item's id or key), or `nil` on the
    /// last page.
    public var nextAfter: String?

    /// Creates a page.
    /// - Parameters:
    ///   - items: The items, in the list's order.
    ///   - nextAfter: Where the next page starts after, or `nil` on the last page.
    public init(_ items: [Item], nextAfter: String?) {
        self.items = items
        self.nextAfter = nextAfter
    }
}

/// A page of ``KnockDatabase/needs(caller:filter:limit:after:)``: needs in id order, each with
/// its full history.
public typealias NeedPage = Page<Need>

/// A page of ``KnockDatabase/residents(caller:tag:limit:after:)``: residents in id order (byte
/// order of the ids' UTF-8).
public typealias ResidentPage = Page<Resident>

/// A page of ``KnockDatabase/query(module:collection:where:limit:after:)``: records in key order
/// (byte order of the keys' UTF-8); `nextAfter` is a key.
public typealias QueryPage = Page<StoredRecord>

/// A page of ``KnockDatabase/keyPersons(caller:dueOn:communityID:timeZone:limit:after:)``:
/// entries in resident id order.
public typealias KeyPersonPage = Page<KeyPerson>
