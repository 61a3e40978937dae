/// A list that holds its first element inline: most state changes produce at most one effect
/// of a kind, and this keeps them from allocating an array for it.
///
/// Elements leave the list by ``drain(_:)``, which moves them out: every state change's lists
/// are emptied by the connection, and iterating them as a sequence copied each element (and
/// retained what it holds) only to drop the list after.
struct EffectList<Element> {
    private var first: Element?
    /// `nil` rather than empty: an `Effects` is made and dropped for every state change, and
    /// most of its lists never hold a second element.
    private var rest: [Element]?

    init() {}

    var isEmpty: Bool { first == nil }

    mutating func append(_ element: consuming Element) {
        if first == nil {
            first = element
        } else {
            if rest == nil { rest = [element] } else { rest!.append(element) }
        }
    }

    /// Moves the elements of `other` to the end of this list, leaving `other` empty.
    mutating func append(draining other: inout EffectList<Element>) {
        other.drain { append($0) }
    }

    mutating func removeAll() {
        first = nil
        rest = nil
    }

    /// Hands the elements to `body` in order and leaves the list empty.
    mutating func drain(_ body: (consuming Element) throws -> Void) rethrows {
        if let element = first.take() { try body(element) }
        if let rest = rest.take() {
            for element in rest { try body(element) }
        }
    }
}
