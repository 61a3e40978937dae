import Foundation
import KnockSchema
import KnockWire
import SwiftProtobuf
import Testing

/// The committed descriptor sets (see scripts/generate-schema-fixtures).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The bytes of a committed descriptor set.
    static func descriptorSet(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    /// everything.proto, imported.proto and the well-known types they import.
    static func everythingPool() throws -> SchemaPool {
        try SchemaPool(fileDescriptorSetBytes: descriptorSet("everything.pb"))
    }

    /// Protocol/wire.proto and Protocol/demo.proto with their imports.
    static func protocolPool() throws -> SchemaPool {
        try SchemaPool(fileDescriptorSetBytes: descriptorSet("protocol.pb"))
    }

    /// A codec over everything.proto.
    static func everythingCodec(_ options: DynamicCodec.Options = .init()) throws -> DynamicCodec {
        DynamicCodec(pool: try everythingPool(), options: options)
    }

    static let everythingType = "knock.schema.test.Everything"

    /// Tells SwiftProtobuf the generated types that appear inside `Any`, so that it can turn
    /// their JSON into bytes (the dynamic codec needs no such registry: it has the pool).
    static func registerAnyTypes() {
        let types: [any SwiftProtobuf.Message.Type] = [
            FixtureEverything.self, FixtureEverything.Nested.self, FixtureOtherHousehold.self,
            WireErrorInfo.self, WireBadRequest.self,
        ]
        for type in types {
            Google_Protobuf_Any.register(messageType: type)
        }
    }

    /// A message after a trip through its binary form. SwiftProtobuf compares an `Any` holding
    /// a decoded message and an `Any` holding the same message's bytes as different; after the
    /// trip every `Any` holds bytes (with map entries in key order, as the dynamic codec writes
    /// them), so `==` compares what the messages mean.
    static func normalized<M: SwiftProtobuf.Message>(_ message: M) throws -> M {
        registerAnyTypes()
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return try M(serializedBytes: message.serializedBytes(options: options) as [UInt8])
    }

    /// The ``SchemaError`` that `body` throws; `nil` when it throws nothing. Any other error is
    /// recorded as a test failure.
    static func schemaError(_ body: () throws -> Void) -> SchemaError? {
        do {
            try body()
            return nil
        } catch let error as SchemaError {
            return error
        } catch {
            Issue.record("not a SchemaError: \(error)")
            return nil
        }
    }
}
