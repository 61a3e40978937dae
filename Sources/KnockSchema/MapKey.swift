/// The key of a map entry. Integer keys are widened like ``DynamicValue``'s integers.
enum MapKey: Hashable, Comparable {
    case int(Int64)
    case uint(UInt64)
    case bool(Bool)
    case string(String)

    /// The key as a value, for writing the entry's field 1.
    var value: DynamicValue {
        switch self {
        case .int(let key): .int(key)
        case .uint(let key): .uint(key)
        case .bool(let key): .bool(key)
        case .string(let key): .string(key)
        }
    }

    /// The key of a value read as an entry's field 1, if the value can be a key.
    init?(_ value: DynamicValue) {
        switch value {
        case .int(let key): self = .int(key)
        case .uint(let key): self = .uint(key)
        case .bool(let key): self = .bool(key)
        case .string(let key): self = .string(key)
        default: return nil
        }
    }

    /// The key as proto3 JSON writes it: always a string.
    var jsonKey: String {
        switch self {
        case .int(let key): String(key)
        case .uint(let key): String(key)
        case .bool(let key): key ? "true" : "false"
        case .string(let key): key
        }
    }

    /// Keys compare by their bytes: Swift's `String` equality would merge keys that are
    /// canonically equivalent but spelled differently, which protobuf keeps apart.
    static func == (lhs: MapKey, rhs: MapKey) -> Bool {
        switch (lhs, rhs) {
        case (.int(let l), .int(let r)): l == r
        case (.uint(let l), .uint(let r)): l == r
        case (.bool(let l), .bool(let r)): l == r
        case (.string(let l), .string(let r)): l.utf8.elementsEqual(r.utf8)
        default: false
        }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(rank)
        switch self {
        case .int(let key): hasher.combine(key)
        case .uint(let key): hasher.combine(key)
        case .bool(let key): hasher.combine(key)
        case .string(let key):
            for byte in key.utf8 { hasher.combine(byte) }
        }
    }

    /// Keys of one map all have the same case; within a case they order by value (strings by
    /// Unicode scalars, so that the order does not depend on the locale or normalisation).
    static func < (lhs: MapKey, rhs: MapKey) -> Bool {
        switch (lhs, rhs) {
        case (.int(let l), .int(let r)): l < r
        case (.uint(let l), .uint(let r)): l < r
        case (.bool(let l), .bool(let r)): !l && r
        case (.string(let l), .string(let r)): l.unicodeScalars.lexicographicallyPrecedes(r.unicodeScalars)
        default: lhs.rank < rhs.rank
        }
    }

    private var rank: Int {
        switch self {
        case .int: 0
        case .uint: 1
        case .bool: 2
        case .string: 3
        }
    }
}
