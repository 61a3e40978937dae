/// One value of a field. Integer types are widened: the signed ones to `Int64`, the unsigned
/// ones to `UInt64`; the field's ``FieldType`` says how to write them.
indirect enum DynamicValue {
    case int(Int64)
    case uint(UInt64)
    case float(Float)
    case double(Double)
    case bool(Bool)
    case string(String)
    case bytes([UInt8])
    case enumeration(Int32)
    case message(DynamicMessage)

    /// The default value of a type (a message type's default is the empty message, made by the
    /// caller, so it is not covered here).
    static func defaultValue(of type: FieldType) -> DynamicValue? {
        switch type {
        case .double: .double(0)
        case .float: .float(0)
        case .bool: .bool(false)
        case .string: .string("")
        case .bytes: .bytes([])
        case .enumeration: .enumeration(0)
        case .message: nil
        default: type.isSignedInteger ? .int(0) : .uint(0)
        }
    }

    /// Whether the value is its type's default, so that a field without presence omits it.
    /// Negative zero is not the default (its bits differ), as in the protobuf runtimes.
    var isDefault: Bool {
        switch self {
        case .int(let value): value == 0
        case .uint(let value): value == 0
        case .float(let value): value.bitPattern == 0
        case .double(let value): value.bitPattern == 0
        case .bool(let value): !value
        case .string(let value): value.isEmpty
        case .bytes(let value): value.isEmpty
        case .enumeration(let value): value == 0
        case .message: false
        }
    }
}
