/// Converts messages between proto3 JSON and the protobuf binary format using only the
/// descriptors in a ``SchemaPool``: no generated code is needed for the message types.
///
/// This is what lets the `knock` CLI call any method of a host, modules it has never seen
/// included: it turns the user's `--json` into the request's binary form and the binary response
/// back into JSON, with the request and response types named by the host's describe method.
///
/// ```swift
/// let pool = try SchemaPool(fileDescriptorSetBytes: describedSchema)
/// let codec = DynamicCodec(pool: pool)
/// let request = try codec.binary(fromJSON: #"{"text": "hello"}"#, messageType: "knock.demo.EchoRequest")
/// let json = try codec.json(fromBinary: responseBytes, messageType: "knock.demo.EchoResponse")
/// ```
///
/// The JSON follows the proto3 JSON mapping, well-known types included (`Timestamp`,
/// `Duration`, `Any` resolved through the pool, the wrappers, `Struct`, `Value`, `ListValue`,
/// `FieldMask`, `Empty`). Every error is a ``SchemaError`` naming the field path.
public struct DynamicCodec: Sendable {
    /// How JSON is written and read.
    public struct Options: Sendable {
        /// Whether JSON output is indented by two spaces, one member per line.
        public var prettyPrinted: Bool
        /// Whether JSON output names fields as the .proto file does (`resident_id`) rather than
        /// by their JSON names (`residentId`). Input accepts both either way.
        public var useProtoFieldNames: Bool
        /// Whether JSON input may have members that name no field; they are skipped. Off by
        /// default, so that a misspelt field name is an error rather than silently lost.
        public var ignoreUnknownFields: Bool

        /// Creates options.
        /// - Parameters:
        ///   - prettyPrinted: Whether JSON output is indented.
        ///   - useProtoFieldNames: Whether JSON output uses proto field names.
        ///   - ignoreUnknownFields: Whether unknown members of JSON input are skipped.
        public init(prettyPrinted: Bool = false, useProtoFieldNames: Bool = false, ignoreUnknownFields: Bool = false) {
            self.prettyPrinted = prettyPrinted
            self.useProtoFieldNames = useProtoFieldNames
            self.ignoreUnknownFields = ignoreUnknownFields
        }
    }

    /// The types the codec knows.
    public let pool: SchemaPool
    /// How JSON is written and read.
    public var options: Options

    /// Creates a codec.
    /// - Parameters:
    ///   - pool: The types the codec knows.
    ///   - options: How JSON is written and read.
    public init(pool: SchemaPool, options: Options = Options()) {
        self.pool = pool
        self.options = options
    }

    /// Converts a message from proto3 JSON to the protobuf binary format.
    ///
    /// The bytes are deterministic: fields in number order, map entries in key order.
    /// - Parameters:
    ///   - json: The message as a JSON object (or, for a well-known type with a special form,
    ///     that form: `"2024-05-01T09:30:00Z"` for a `Timestamp`).
    ///   - messageType: The fully-qualified message type, e.g. `knock.demo.EchoRequest`.
    /// - Returns: The message in the binary format.
    /// - Throws: ``SchemaError``: ``SchemaError/Code/unknownType`` for a type the pool lacks,
    ///   ``SchemaError/Code/invalidJSON`` for text that is not JSON,
    ///   ``SchemaError/Code/invalidField``, ``SchemaError/Code/typeMismatch`` or
    ///   ``SchemaError/Code/invalidValue`` for JSON that does not fit the type.
    public func binary(fromJSON json: String, messageType: String) throws -> [UInt8] {
        let schema = try pool.message(named: messageType)
        let value = try JSONParser.parse(json)
        let reader = ProtoJSONReader(pool: pool, ignoreUnknownFields: options.ignoreUnknownFields)
        let message = try reader.message(from: value, schema: schema)
        return BinaryEncoder().encode(message)
    }

    /// Converts a message from the protobuf binary format to proto3 JSON.
    ///
    /// Fields come in field-number order; fields without presence that hold their default
    /// value are left out; unknown fields are skipped.
    /// - Parameters:
    ///   - bytes: The message in the binary format.
    ///   - messageType: The fully-qualified message type, e.g. `knock.demo.EchoResponse`.
    /// - Returns: The message as JSON text.
    /// - Throws: ``SchemaError``: ``SchemaError/Code/unknownType`` for a type the pool lacks
    ///   (also the type of an `Any`), ``SchemaError/Code/malformedBinary`` for bytes that do
    ///   not parse, ``SchemaError/Code/invalidValue`` for a value JSON cannot show (a
    ///   `Timestamp` out of range, a `Value` holding NaN).
    public func json(fromBinary bytes: some Collection<UInt8>, messageType: String) throws -> String {
        let schema = try pool.message(named: messageType)
        let message = try BinaryDecoder(pool: pool).decode(Array(bytes), as: schema)
        let writer = ProtoJSONWriter(pool: pool, useProtoFieldNames: options.useProtoFieldNames)
        return JSONText.render(try writer.json(message, depth: 0), pretty: options.prettyPrinted)
    }
}
