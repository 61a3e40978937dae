public import SwiftProtobuf

/// Every message and enum type of a set of `.proto` files, by fully-qualified name, ready for a
/// ``DynamicCodec`` to convert messages of any of them between JSON and the protobuf binary
/// format without generated code.
///
/// Build one from the `google.protobuf.FileDescriptorSet` a host's describe method returns
/// (made with `protoc --include_imports --descriptor_set_out=…`). Nested types are indexed by
/// their full name (`knock.schema.test.Everything.Nested`), and types of imported files are
/// indexed like the others, so the set should carry its imports. A type that a field refers to
/// but the set lacks is reported as ``SchemaError/Code/unknownType`` only when a message that
/// uses it is converted.
///
/// Supported: proto3 and proto2 files, and edition files as far as field presence, packed
/// encoding and delimited (group) encoding set in field or file options go. Not supported:
/// extensions (skipped as unknown fields in binary, rejected in JSON), proto2 `required` checks
/// and default values, and closed-enum handling (every enum is read as open: a number the enum
/// does not name is kept and written as a number).
public struct SchemaPool: Sendable {
    /// Message types by fully-qualified name (no leading dot).
    let messages: [String: MessageSchema]
    /// Enum types by fully-qualified name (no leading dot).
    let enums: [String: EnumSchema]

    /// Indexes the files of a descriptor set.
    /// - Parameter fileDescriptorSet: The files, with their imports.
    /// - Throws: ``SchemaError`` with ``SchemaError/Code/invalidDescriptor`` when two files define
    ///   the same type name, a file appears twice with different contents, or a map field's entry
    ///   type is malformed.
    public init(_ fileDescriptorSet: Google_Protobuf_FileDescriptorSet) throws {
        try self.init(files: fileDescriptorSet.file)
    }

    /// Indexes the files of a serialized descriptor set.
    /// - Parameter fileDescriptorSetBytes: A `google.protobuf.FileDescriptorSet` in the protobuf
    ///   binary format, as `protoc --descriptor_set_out` writes it.
    /// - Throws: ``SchemaError`` with ``SchemaError/Code/invalidDescriptor`` when the bytes do
    ///   not parse as a descriptor set, or for the reasons ``init(_:)`` gives.
    public init(fileDescriptorSetBytes: some Collection<UInt8>) throws {
        let set: Google_Protobuf_FileDescriptorSet
        do {
            set = try Google_Protobuf_FileDescriptorSet(serializedBytes: Array(fileDescriptorSetBytes))
        } catch {
            throw SchemaError(.invalidDescriptor, "the bytes are not a google.protobuf.FileDescriptorSet (\(error))")
        }
        try self.init(set)
    }

    /// Indexes a list of files, for instance those gathered from several describe answers. A
    /// file that appears more than once with the same contents is indexed once.
    /// - Parameter files: The files, with their imports.
    /// - Throws: ``SchemaError`` with ``SchemaError/Code/invalidDescriptor``, as ``init(_:)``.
    public init(files: [Google_Protobuf_FileDescriptorProto]) throws {
        var builder = SchemaPoolBuilder()
        try builder.add(files)
        self.messages = try builder.messageSchemas()
        self.enums = builder.enumSchemas
    }

    /// The fully-qualified names of all message types, sorted.
    public var messageTypeNames: [String] {
        messages.keys.sorted()
    }

    /// The fully-qualified names of all enum types, sorted.
    public var enumTypeNames: [String] {
        enums.keys.sorted()
    }

    /// Whether the pool has a message type.
    /// - Parameter name: A fully-qualified name, with or without a leading dot.
    public func containsMessageType(_ name: String) -> Bool {
        messages[Self.normalized(name)] != nil
    }

    /// The message type with a fully-qualified name.
    /// - Throws: ``SchemaError/Code/unknownType``, suggesting types with the same simple name.
    func message(named name: String) throws -> MessageSchema {
        if let schema = messages[Self.normalized(name)] {
            return schema
        }
        throw SchemaError(.unknownType, unknownTypeMessage(kind: "message", name: name, known: messages.keys))
    }

    /// The enum type with a fully-qualified name.
    /// - Throws: ``SchemaError/Code/unknownType``.
    func enumeration(named name: String) throws -> EnumSchema {
        if let schema = enums[Self.normalized(name)] {
            return schema
        }
        throw SchemaError(.unknownType, unknownTypeMessage(kind: "enum", name: name, known: enums.keys))
    }

    private static func normalized(_ name: String) -> String {
        name.hasPrefix(".") ? String(name.dropFirst()) : name
    }

    private func unknownTypeMessage(kind: String, name: String, known: Dictionary<String, some Any>.Keys) -> String {
        let simpleName = name.split(separator: ".").last.map(String.init) ?? name
        let similar = known.filter { $0 == simpleName || $0.hasSuffix("." + simpleName) }.sorted()
        var text = "unknown \(kind) type '\(name)': the schema does not define it"
        if !similar.isEmpty {
            text += "; did you mean \(similar.prefix(3).map { "'\($0)'" }.joined(separator: " or "))?"
        }
        return text
    }
}
