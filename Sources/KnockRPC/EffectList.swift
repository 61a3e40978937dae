/// A list that holds its first element inline: most state changes produce at most one effect
/// of a kind, and this keeps them from allocating an array for it.
struct EffectList<Element>: Sequence {
    private var first: Element?
    /// `nil` rather than empty: an `Effects` is made and dropped for every state change, and
    /// most of its lists never hold a second element.
    private var rest: [Element]?

    init() {}

    var isEmpty: Bool { first == nil }

    mutating func append(_ element: Element) {
        if first == nil {
            first = element
        } else {
            if rest == nil { rest = [element] } else { rest!.append(element) }
        }
    }

    mutating func append(contentsOf other: EffectList<Element>) {
        for element in other { append(element) }
    }

    mutating func removeAll() {
        first = nil
        rest = nil
    }

    /// Iterates without making an array iterator when there is no second element: most lists
    /// looked at after a state change are empty or hold one.
    struct Iterator: IteratorProtocol {
        var first: Element?
        var rest: IndexingIterator<[Element]>?

        mutating func next() -> Element? {
            if let element = first {
                first = nil
                return element
            }
            return rest?.next()
        }
    }

    func makeIterator() -> Iterator {
        Iterator(first: first, rest: rest?.makeIterator())
    }
}
