/// The well-known types whose proto3 JSON form is not the plain object of their fields.
enum WellKnownType: Sendable {
    case any
    case timestamp
    case duration
    case fieldMask
    case structure
    case value
    case listValue
    /// A wrapper (`google.protobuf.Int32Value` …): JSON is the wrapped scalar of field 1.
    case wrapper(FieldType)

    /// The special form for a fully-qualified message name, if it has one.
    init?(fullName: String) {
        switch fullName {
        case "google.protobuf.Any": self = .any
        case "google.protobuf.Timestamp": self = .timestamp
        case "google.protobuf.Duration": self = .duration
        case "google.protobuf.FieldMask": self = .fieldMask
        case "google.protobuf.Struct": self = .structure
        case "google.protobuf.Value": self = .value
        case "google.protobuf.ListValue": self = .listValue
        case "google.protobuf.DoubleValue": self = .wrapper(.double)
        case "google.protobuf.FloatValue": self = .wrapper(.float)
        case "google.protobuf.Int64Value": self = .wrapper(.int64)
        case "google.protobuf.UInt64Value": self = .wrapper(.uint64)
        case "google.protobuf.Int32Value": self = .wrapper(.int32)
        case "google.protobuf.UInt32Value": self = .wrapper(.uint32)
        case "google.protobuf.BoolValue": self = .wrapper(.bool)
        case "google.protobuf.StringValue": self = .wrapper(.string)
        case "google.protobuf.BytesValue": self = .wrapper(.bytes)
        default: return nil
        }
    }
}
