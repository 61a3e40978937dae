import Foundation
import KnockSchema
import SwiftProtobuf
import Testing

@Suite("SchemaPool")
struct SchemaPoolTests {
    @Test("indexes messages and enums by full name: nested, imported and well-known types")
    func names() throws {
        let pool = try Fixtures.everythingPool()
        for name in [
            "knock.schema.test.Everything", "knock.schema.test.Everything.Nested",
            "knock.schema.test.RecordVisitRequest.Visit", "knock.schema.other.Household",
            "google.protobuf.Timestamp", "google.protobuf.Any", "google.protobuf.Int32Value",
        ] {
            #expect(pool.containsMessageType(name), "\(name)")
        }
        #expect(pool.containsMessageType(".knock.schema.test.Everything"))
        #expect(!pool.containsMessageType("Everything"))
        // Map entries are message types of their own, as protoc declares them.
        #expect(pool.containsMessageType("knock.schema.test.Everything.MStringStringEntry"))
        #expect(pool.enumTypeNames.contains("knock.schema.test.Colour"))
        #expect(pool.enumTypeNames.contains("knock.schema.test.Everything.Level"))
        #expect(pool.enumTypeNames.contains("knock.schema.other.Household.Kind"))
        #expect(pool.enumTypeNames.contains("google.protobuf.NullValue"))
        #expect(pool.messageTypeNames == pool.messageTypeNames.sorted())
    }

    @Test("bytes that are not a descriptor set are an invalid descriptor")
    func invalidBytes() throws {
        #expect {
            try SchemaPool(fileDescriptorSetBytes: [0x0A, 0x05, 0x01])
        } throws: { error in
            (error as? SchemaError)?.code == .invalidDescriptor
        }
    }

    @Test("the same file twice is indexed once; two files defining one type are refused")
    func duplicateFiles() throws {
        let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: Fixtures.descriptorSet("everything.pb"))
        let doubled = try SchemaPool(files: set.file + set.file)
        #expect(doubled.messageTypeNames == (try SchemaPool(set)).messageTypeNames)

        var copy = set.file[set.file.count - 1]
        copy.name = "copy.proto"
        #expect {
            try SchemaPool(files: set.file + [copy])
        } throws: { error in
            guard let error = error as? SchemaError else { return false }
            return error.code == .invalidDescriptor && error.message.hasPrefix("type '") && error.message.hasSuffix("is defined twice (again in 'copy.proto')")
        }
    }

    /// A proto2 file written by hand: relative type names, no json_name, unpacked repeated
    /// fields by default, explicit presence, and a group.
    private static func handWrittenFile() -> Google_Protobuf_FileDescriptorProto {
        func field(_ name: String, _ number: Int32, _ type: Google_Protobuf_FieldDescriptorProto.TypeEnum, label: Google_Protobuf_FieldDescriptorProto.Label = .optional, typeName: String? = nil) -> Google_Protobuf_FieldDescriptorProto {
            var field = Google_Protobuf_FieldDescriptorProto()
            field.name = name
            field.number = number
            field.type = type
            field.label = label
            if let typeName { field.typeName = typeName }
            return field
        }
        var inner = Google_Protobuf_DescriptorProto()
        inner.name = "Inner"
        inner.field = [field("text_value", 1, .string)]
        var group = Google_Protobuf_DescriptorProto()
        group.name = "MyGroup"
        group.field = [field("a", 1, .int32)]
        var outer = Google_Protobuf_DescriptorProto()
        outer.name = "Outer"
        outer.nestedType = [inner, group]
        outer.field = [
            field("plain_value", 1, .int32),
            field("inner", 2, .message, typeName: "Inner"),
            field("numbers", 3, .int32, label: .repeated),
            field("mygroup", 4, .group, typeName: "MyGroup"),
            field("shade", 5, .enum, typeName: "hand.Shade"),
        ]
        var shade = Google_Protobuf_EnumDescriptorProto()
        shade.name = "Shade"
        shade.value = [("DARK", Int32(0)), ("LIGHT", 1)].map { name, number in
            var value = Google_Protobuf_EnumValueDescriptorProto()
            value.name = name
            value.number = number
            return value
        }
        var file = Google_Protobuf_FileDescriptorProto()
        file.name = "hand.proto"
        file.package = "hand"
        file.syntax = "proto2"
        file.messageType = [outer]
        file.enumType = [shade]
        return file
    }

    @Test("a hand-written proto2 file: relative names, derived JSON names, presence, unpacked lists, groups")
    func handWrittenProto2() throws {
        let codec = DynamicCodec(pool: try SchemaPool(files: [Self.handWrittenFile()]))
        let json = #"{"plainValue":0,"inner":{"textValue":"x"},"numbers":[1,2],"mygroup":{"a":7},"shade":"DARK"}"#
        let bytes = try codec.binary(fromJSON: json, messageType: "hand.Outer")
        #expect(bytes == [0x08, 0x00, 0x12, 0x03, 0x0A, 0x01, 0x78, 0x18, 0x01, 0x18, 0x02, 0x23, 0x08, 0x07, 0x24, 0x28, 0x00])
        #expect(try codec.json(fromBinary: bytes, messageType: "hand.Outer") == json)
        // A group that is never closed.
        #expect(throws: SchemaError.self) {
            try codec.json(fromBinary: [0x23, 0x08, 0x07], messageType: "hand.Outer")
        }
    }

    @Test("a field whose type the set lacks fails when used, naming the type")
    func missingImport() throws {
        var file = Google_Protobuf_FileDescriptorProto()
        file.name = "partial.proto"
        file.package = "partial"
        file.syntax = "proto3"
        var message = Google_Protobuf_DescriptorProto()
        message.name = "Visit"
        var field = Google_Protobuf_FieldDescriptorProto()
        field.name = "at"
        field.number = 1
        field.type = .message
        field.typeName = ".google.protobuf.Timestamp"
        field.jsonName = "at"
        message.field = [field]
        file.messageType = [message]
        let codec = DynamicCodec(pool: try SchemaPool(files: [file]))
        #expect(try codec.binary(fromJSON: "{}", messageType: "partial.Visit") == [])
        #expect {
            try codec.binary(fromJSON: #"{"at": "2024-01-01T00:00:00Z"}"#, messageType: "partial.Visit")
        } throws: { error in
            (error as? SchemaError)?.description == "at: unknown message type 'google.protobuf.Timestamp': the schema does not define it"
        }
    }
}

@Suite("SchemaPool refuses descriptors that contradict themselves")
struct InvalidDescriptorTests {
    private static func file(fields: [(String, Int32, Int32?)], oneofs: Int = 0) -> Google_Protobuf_FileDescriptorProto {
        var message = Google_Protobuf_DescriptorProto()
        message.name = "Broken"
        message.field = fields.map { name, number, oneof in
            var field = Google_Protobuf_FieldDescriptorProto()
            field.name = name
            field.number = number
            field.type = .int32
            if let oneof { field.oneofIndex = oneof }
            return field
        }
        message.oneofDecl = (0..<oneofs).map { index in
            var oneof = Google_Protobuf_OneofDescriptorProto()
            oneof.name = "choice\(index)"
            return oneof
        }
        var file = Google_Protobuf_FileDescriptorProto()
        file.name = "broken.proto"
        file.package = "broken"
        file.syntax = "proto3"
        file.messageType = [message]
        return file
    }

    @Test("field numbers out of range or repeated, and oneof indices the message lacks", arguments: [
        ([("a", -1, nil)], 0, "field 'a' of 'broken.Broken' has number -1, outside 1 to 536870911"),
        ([("a", 536_870_912, nil)], 0, "field 'a' of 'broken.Broken' has number 536870912, outside 1 to 536870911"),
        ([("a", 1, nil), ("b", 1, nil)], 0, "message 'broken.Broken' uses a field number twice"),
        ([("a", 1, 1)], 1, "field 'a' of 'broken.Broken' names oneof 1, which the message does not declare"),
        ([("a", 1, -2)], 0, "field 'a' of 'broken.Broken' names oneof -2, which the message does not declare"),
    ] as [([(String, Int32, Int32?)], Int, String)])
    func refused(fields: [(String, Int32, Int32?)], oneofs: Int, expected: String) throws {
        #expect {
            try SchemaPool(files: [Self.file(fields: fields, oneofs: oneofs)])
        } throws: { error in
            guard let error = error as? SchemaError else { return false }
            return error.code == .invalidDescriptor && error.message == expected
        }
    }
}
