import SwiftProtobuf

/// Walks descriptor files into the indexes of a ``SchemaPool``: first every type name (so that
/// fields can refer to types declared later or in other files), then every message's fields.
struct SchemaPoolBuilder {
    /// A message type found in the first pass, with what its fields need to be resolved.
    private struct PendingMessage {
        let descriptor: Google_Protobuf_DescriptorProto
        let file: Google_Protobuf_FileDescriptorProto
    }

    private var filesByName: [String: Google_Protobuf_FileDescriptorProto] = [:]
    private var pending: [String: PendingMessage] = [:]
    private(set) var enumSchemas: [String: EnumSchema] = [:]

    /// Collects the types of files. A file that appears again with the same contents is skipped.
    mutating func add(_ files: [Google_Protobuf_FileDescriptorProto]) throws {
        for file in files {
            if let known = filesByName[file.name] {
                guard known == file else {
                    throw SchemaError(.invalidDescriptor, "file '\(file.name)' appears twice with different contents")
                }
                continue
            }
            filesByName[file.name] = file
            let scope = file.package
            for message in file.messageType {
                try addMessage(message, scope: scope, file: file)
            }
            for enumeration in file.enumType {
                try addEnum(enumeration, scope: scope, file: file)
            }
        }
    }

    private mutating func addMessage(
        _ descriptor: Google_Protobuf_DescriptorProto,
        scope: String,
        file: Google_Protobuf_FileDescriptorProto
    ) throws {
        let name = Self.qualified(descriptor.name, in: scope)
        try checkUnique(name, file: file)
        pending[name] = PendingMessage(descriptor: descriptor, file: file)
        for nested in descriptor.nestedType {
            try addMessage(nested, scope: name, file: file)
        }
        for enumeration in descriptor.enumType {
            try addEnum(enumeration, scope: name, file: file)
        }
    }

    private mutating func addEnum(
        _ descriptor: Google_Protobuf_EnumDescriptorProto,
        scope: String,
        file: Google_Protobuf_FileDescriptorProto
    ) throws {
        let name = Self.qualified(descriptor.name, in: scope)
        try checkUnique(name, file: file)
        var nameByNumber: [Int32: String] = [:]
        var numberByName: [String: Int32] = [:]
        for value in descriptor.value {
            if nameByNumber[value.number] == nil {
                nameByNumber[value.number] = value.name
            }
            numberByName[value.name] = value.number
        }
        enumSchemas[name] = EnumSchema(fullName: name, nameByNumber: nameByNumber, numberByName: numberByName)
    }

    private func checkUnique(_ name: String, file: Google_Protobuf_FileDescriptorProto) throws {
        if pending[name] != nil || enumSchemas[name] != nil {
            throw SchemaError(.invalidDescriptor, "type '\(name)' is defined twice (again in '\(file.name)')")
        }
    }

    /// Resolves every message's fields.
    func messageSchemas() throws -> [String: MessageSchema] {
        var schemas: [String: MessageSchema] = [:]
        schemas.reserveCapacity(pending.count)
        for (name, message) in pending {
            let oneofCount = message.descriptor.oneofDecl.count
            let fields = try message.descriptor.field.map {
                try fieldSchema($0, in: name, oneofCount: oneofCount, file: message.file)
            }
            guard Set(fields.map(\.number)).count == fields.count else {
                throw SchemaError(.invalidDescriptor, "message '\(name)' uses a field number twice")
            }
            schemas[name] = MessageSchema(
                fullName: name,
                fields: fields,
                oneofNames: message.descriptor.oneofDecl.map(\.name)
            )
        }
        return schemas
    }

    /// The largest field number protobuf allows (2^29 - 1).
    static let maximumFieldNumber: Int32 = 536_870_911

    private func fieldSchema(
        _ field: Google_Protobuf_FieldDescriptorProto,
        in messageName: String,
        oneofCount: Int,
        file: Google_Protobuf_FileDescriptorProto
    ) throws -> FieldSchema {
        // The descriptors come from a peer: check what the codec would otherwise index blindly.
        guard (1...Self.maximumFieldNumber).contains(field.number) else {
            throw SchemaError(.invalidDescriptor, "field '\(field.name)' of '\(messageName)' has number \(field.number), outside 1 to \(Self.maximumFieldNumber)")
        }
        if field.hasOneofIndex, !(0..<oneofCount).contains(Int(field.oneofIndex)) {
            throw SchemaError(.invalidDescriptor, "field '\(field.name)' of '\(messageName)' names oneof \(field.oneofIndex), which the message does not declare")
        }
        let type = try fieldType(field, in: messageName)
        let jsonName = field.hasJsonName ? field.jsonName : Self.lowerCamelCase(field.name)
        let isRealOneof = field.hasOneofIndex && !field.proto3Optional
        let cardinality: FieldSchema.Cardinality
        if field.label == .repeated {
            if case .message(let entryName) = type, let entry = pending[entryName], entry.descriptor.options.mapEntry {
                cardinality = try mapCardinality(entry.descriptor, named: entryName)
            } else {
                cardinality = .repeated(packed: type.isPackable && Self.isPacked(field, file: file))
            }
        } else {
            let presence: Bool
            if case .message = type {
                presence = true
            } else if field.proto3Optional || isRealOneof {
                presence = true
            } else {
                presence = Self.hasExplicitPresence(field, file: file)
            }
            cardinality = .singular(hasPresence: presence)
        }
        return FieldSchema(
            name: field.name,
            jsonName: jsonName,
            number: field.number,
            type: type,
            cardinality: cardinality,
            oneofIndex: isRealOneof ? Int(field.oneofIndex) : nil,
            isDelimited: field.type == .group || Self.isDelimited(field, file: file)
        )
    }

    private func mapCardinality(_ entry: Google_Protobuf_DescriptorProto, named entryName: String) throws -> FieldSchema.Cardinality {
        guard let key = entry.field.first(where: { $0.number == 1 }),
              let value = entry.field.first(where: { $0.number == 2 })
        else {
            throw SchemaError(.invalidDescriptor, "map entry '\(entryName)' lacks its key or value field")
        }
        let keyType = try fieldType(key, in: entryName)
        guard keyType.isValidMapKey else {
            throw SchemaError(.invalidDescriptor, "map entry '\(entryName)' has a key of type \(keyType.name)")
        }
        return .map(key: keyType, value: try fieldType(value, in: entryName))
    }

    private func fieldType(_ field: Google_Protobuf_FieldDescriptorProto, in messageName: String) throws -> FieldType {
        switch field.type {
        case .double: return .double
        case .float: return .float
        case .int64: return .int64
        case .uint64: return .uint64
        case .int32: return .int32
        case .fixed64: return .fixed64
        case .fixed32: return .fixed32
        case .bool: return .bool
        case .string: return .string
        case .bytes: return .bytes
        case .uint32: return .uint32
        case .sfixed32: return .sfixed32
        case .sfixed64: return .sfixed64
        case .sint32: return .sint32
        case .sint64: return .sint64
        case .enum: return .enumeration(resolve(field.typeName, from: messageName))
        case .message, .group: return .message(resolve(field.typeName, from: messageName))
        }
    }

    /// Resolves a type name as protoc does: a leading dot means fully qualified; otherwise the
    /// innermost enclosing scope that declares it wins. An unresolvable name is kept as it is,
    /// to be reported when used.
    private func resolve(_ typeName: String, from scope: String) -> String {
        if typeName.hasPrefix(".") {
            return String(typeName.dropFirst())
        }
        var scope = Substring(scope)
        while true {
            let candidate = scope.isEmpty ? typeName : "\(scope).\(typeName)"
            if pending[candidate] != nil || enumSchemas[candidate] != nil {
                return candidate
            }
            guard let dot = scope.lastIndex(of: ".") else {
                if scope.isEmpty { return typeName }
                scope = ""
                continue
            }
            scope = scope[..<dot]
        }
    }

    private static func qualified(_ name: String, in scope: String) -> String {
        scope.isEmpty ? name : "\(scope).\(name)"
    }

    private static func isEditions(_ file: Google_Protobuf_FileDescriptorProto) -> Bool {
        file.syntax == "editions"
    }

    /// Presence of a singular scalar or enum field outside a oneof.
    private static func hasExplicitPresence(_ field: Google_Protobuf_FieldDescriptorProto, file: Google_Protobuf_FileDescriptorProto) -> Bool {
        if file.syntax == "proto3" { return false }
        guard isEditions(file) else { return true }
        let features = field.options.features.hasFieldPresence ? field.options.features : file.options.features
        return features.fieldPresence != .implicit
    }

    /// Whether a repeated scalar field is written packed.
    private static func isPacked(_ field: Google_Protobuf_FieldDescriptorProto, file: Google_Protobuf_FileDescriptorProto) -> Bool {
        if field.options.hasPacked { return field.options.packed }
        if file.syntax == "proto3" { return true }
        guard isEditions(file) else { return false }
        let features = field.options.features.hasRepeatedFieldEncoding ? field.options.features : file.options.features
        return features.repeatedFieldEncoding != .expanded
    }

    /// Whether an edition file asks for a message field to be written as a group.
    private static func isDelimited(_ field: Google_Protobuf_FieldDescriptorProto, file: Google_Protobuf_FileDescriptorProto) -> Bool {
        guard isEditions(file), field.type == .message else { return false }
        let features = field.options.features.hasMessageEncoding ? field.options.features : file.options.features
        return features.messageEncoding == .delimited
    }

    /// The JSON name protoc derives from a field name: underscores dropped, the letter after
    /// each one upper-cased.
    static func lowerCamelCase(_ name: String) -> String {
        var result = ""
        var upperNext = false
        for character in name {
            if character == "_" {
                upperNext = true
            } else if upperNext {
                result.append(contentsOf: character.uppercased())
                upperNext = false
            } else {
                result.append(character)
            }
        }
        return result
    }
}
