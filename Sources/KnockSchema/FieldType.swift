/// The type of one value of a field: a scalar, an enum or a message (enum and message by
/// fully-qualified name, without the leading dot).
enum FieldType: Hashable, Sendable {
    case double, float
    case int64, uint64, int32, uint32
    case sint32, sint64
    case fixed32, fixed64, sfixed32, sfixed64
    case bool, string, bytes
    case enumeration(String)
    case message(String)

    /// The wire type a single value of this type is written with.
    var wireType: WireType {
        switch self {
        case .double, .fixed64, .sfixed64: .fixed64
        case .float, .fixed32, .sfixed32: .fixed32
        case .int64, .uint64, .int32, .uint32, .sint32, .sint64, .bool, .enumeration: .varint
        case .string, .bytes, .message: .lengthDelimited
        }
    }

    /// Whether a repeated field of this type may be written packed.
    var isPackable: Bool {
        wireType != .lengthDelimited
    }

    /// Whether proto3 JSON writes this type as a string (the 64-bit integers).
    var isJSONString64: Bool {
        switch self {
        case .int64, .uint64, .sint64, .fixed64, .sfixed64: true
        default: false
        }
    }

    /// Whether values are kept as ``DynamicValue/int(_:)`` (signed integer types).
    var isSignedInteger: Bool {
        switch self {
        case .int32, .int64, .sint32, .sint64, .sfixed32, .sfixed64: true
        default: false
        }
    }

    /// Whether values are kept as ``DynamicValue/uint(_:)`` (unsigned integer types).
    var isUnsignedInteger: Bool {
        switch self {
        case .uint32, .uint64, .fixed32, .fixed64: true
        default: false
        }
    }

    /// Whether the type may be a map key: any integer type, bool or string.
    var isValidMapKey: Bool {
        isSignedInteger || isUnsignedInteger || self == .bool || self == .string
    }

    /// The name as written in a .proto file, for error messages.
    var name: String {
        switch self {
        case .double: "double"
        case .float: "float"
        case .int64: "int64"
        case .uint64: "uint64"
        case .int32: "int32"
        case .uint32: "uint32"
        case .sint32: "sint32"
        case .sint64: "sint64"
        case .fixed32: "fixed32"
        case .fixed64: "fixed64"
        case .sfixed32: "sfixed32"
        case .sfixed64: "sfixed64"
        case .bool: "bool"
        case .string: "string"
        case .bytes: "bytes"
        case .enumeration(let name): name
        case .message(let name): name
        }
    }

    /// The range of an integer type's values, for range checks on JSON input.
    var signedRange: ClosedRange<Int64> {
        switch self {
        case .int32, .sint32, .sfixed32: Int64(Int32.min)...Int64(Int32.max)
        default: Int64.min...Int64.max
        }
    }

    /// The largest value of an unsigned integer type, for range checks on JSON input.
    var unsignedMax: UInt64 {
        switch self {
        case .uint32, .fixed32: UInt64(UInt32.max)
        default: UInt64.max
        }
    }
}
