public import KnockWire

/// The metadata of a call: ordered key–value pairs, text or binary, keys lowercase.
public struct Metadata: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// A metadata value.
    public enum Datum: Sendable, Hashable {
        /// UTF-8 text.
        case text(String)
        /// Raw bytes.
        case binary([UInt8])
    }

    /// One entry.
    public struct Entry: Sendable, Hashable {
        /// The key: lowercase ASCII letters, digits, `-`, `_`, `.`.
        public var key: String
        /// The value.
        public var value: Datum
    }

    private var entries: [Entry]

    /// Creates empty metadata.
    public init() {
        entries = []
    }

    /// Creates metadata from the entries of a frame.
    /// - Parameter wire: Entries as decoded from a request header or status.
    public init(_ wire: [WireMetadataEntry]) {
        entries = wire.map { entry in
            switch entry.value {
            case .binary(let bytes): Entry(key: entry.key, value: .binary(Array(bytes)))
            case .text(let text): Entry(key: entry.key, value: .text(text))
            case nil: Entry(key: entry.key, value: .text(""))
            }
        }
    }

    /// Creates metadata from text pairs.
    /// - Parameter elements: Key–text pairs.
    public init(dictionaryLiteral elements: (String, String)...) {
        entries = elements.map { Entry(key: $0.0, value: .text($0.1)) }
    }

    /// Appends a text entry.
    /// - Parameters:
    ///   - key: The key.
    ///   - text: The value.
    public mutating func add(_ key: String, _ text: String) {
        entries.append(Entry(key: key, value: .text(text)))
    }

    /// Appends a binary entry.
    /// - Parameters:
    ///   - key: The key.
    ///   - bytes: The value.
    public mutating func add(_ key: String, binary bytes: [UInt8]) {
        entries.append(Entry(key: key, value: .binary(bytes)))
    }

    /// The first text value for `key`.
    public subscript(key: String) -> String? {
        for entry in entries where entry.key == key {
            if case .text(let text) = entry.value { return text }
        }
        return nil
    }

    /// Whether there are no entries.
    public var isEmpty: Bool { entries.isEmpty }

    /// Removes every entry whose key satisfies `predicate`.
    /// - Parameter predicate: Whether to remove an entry with this key.
    public mutating func removeAll(where predicate: (String) -> Bool) {
        entries.removeAll { predicate($0.key) }
    }

    /// The entries as they go on the wire.
    public var wireEntries: [WireMetadataEntry] {
        entries.map { entry in
            var wire = WireMetadataEntry()
            wire.key = entry.key
            switch entry.value {
            case .text(let text): wire.text = text
            case .binary(let bytes): wire.binary = .init(bytes)
            }
            return wire
        }
    }

    public func makeIterator() -> IndexingIterator<[Entry]> {
        entries.makeIterator()
    }
}
