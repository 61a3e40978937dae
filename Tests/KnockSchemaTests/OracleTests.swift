import Foundation
import KnockSchema
import SwiftProtobuf
import Testing

/// The dynamic codec against SwiftProtobuf's generated code for the same schema: both must
/// agree on what every message means, in both directions.
@Suite("DynamicCodec agrees with SwiftProtobuf's generated code")
struct OracleTests {
    static let seeds = Array(UInt64(1)...UInt64(300))

    @Test("binary from SwiftProtobuf -> dynamic JSON -> SwiftProtobuf parses it back to the same message", arguments: seeds)
    func binaryToJSON(seed: UInt64) throws {
        var random = RandomEverything(seed: seed)
        let original = try random.everything()
        let codec = try Fixtures.everythingCodec()
        let json = try codec.json(fromBinary: try original.serializedBytes() as [UInt8], messageType: Fixtures.everythingType)
        let parsed = try FixtureEverything(jsonString: json)
        #expect(try Fixtures.normalized(parsed) == Fixtures.normalized(original), "seed \(seed): \(json)")
    }

    @Test("JSON from SwiftProtobuf -> dynamic binary -> SwiftProtobuf decodes the same message", arguments: seeds)
    func jsonToBinary(seed: UInt64) throws {
        var random = RandomEverything(seed: seed)
        let original = try random.everything()
        let codec = try Fixtures.everythingCodec()
        let json = try original.jsonString()
        let bytes = try codec.binary(fromJSON: json, messageType: Fixtures.everythingType)
        let decoded = try FixtureEverything(serializedBytes: bytes)
        #expect(try Fixtures.normalized(decoded) == Fixtures.normalized(original), "seed \(seed): \(json)")

        // The same with proto field names in the JSON.
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        let protoNamed = try original.jsonString(options: options)
        let fromProtoNames = try codec.binary(fromJSON: protoNamed, messageType: Fixtures.everythingType)
        #expect(try Fixtures.normalized(FixtureEverything(serializedBytes: fromProtoNames)) == Fixtures.normalized(original), "seed \(seed): \(protoNamed)")
    }

    @Test("without map-order effects, dynamic binary is byte for byte SwiftProtobuf's", arguments: seeds.prefix(150))
    func sameBytes(seed: UInt64) throws {
        var random = RandomEverything(seed: seed)
        random.maximumMapEntries = 1
        let original = try random.everything()
        let codec = try Fixtures.everythingCodec()
        let expected: [UInt8] = try original.serializedBytes()
        let bytes = try codec.binary(fromJSON: try original.jsonString(), messageType: Fixtures.everythingType)
        #expect(bytes == expected, "seed \(seed)")
        // And dynamic binary -> JSON -> binary is stable.
        let json = try codec.json(fromBinary: bytes, messageType: Fixtures.everythingType)
        #expect(try codec.binary(fromJSON: json, messageType: Fixtures.everythingType) == expected, "seed \(seed): \(json)")
    }

    @Test("pretty-printed and proto-named output parse the same", arguments: seeds.prefix(40))
    func outputOptions(seed: UInt64) throws {
        var random = RandomEverything(seed: seed)
        let original = try random.everything()
        let bytes: [UInt8] = try original.serializedBytes()
        for options in [DynamicCodec.Options(prettyPrinted: true), DynamicCodec.Options(useProtoFieldNames: true)] {
            let json = try Fixtures.everythingCodec(options).json(fromBinary: bytes, messageType: Fixtures.everythingType)
            #expect(try Fixtures.normalized(FixtureEverything(jsonString: json)) == Fixtures.normalized(original), "seed \(seed): \(json)")
        }
    }

    @Test("packed and unpacked repeated fields both decode")
    func packedAndUnpacked() throws {
        var message = FixtureEverything()
        message.rInt32 = [1, -2, 300]
        message.uInt32 = [4, -5, 600]
        message.rColour = [.red, .infrared]
        message.uColour = [.blue, .UNRECOGNIZED(9)]
        message.rDouble = [1.5, -0.0]
        message.uDouble = [2.5, .infinity]
        let bytes: [UInt8] = try message.serializedBytes()
        let codec = try Fixtures.everythingCodec()
        let json = try codec.json(fromBinary: bytes, messageType: Fixtures.everythingType)
        #expect(try FixtureEverything(jsonString: json) == message)
        // Hand-written: field 31 (packed int32) as two unpacked varints, field 48 (unpacked) packed.
        let handWritten: [UInt8] = [0xF8, 0x01, 0x07, 0xF8, 0x01, 0x08, 0x82, 0x03, 0x02, 0x09, 0x0A]
        let decoded = try codec.json(fromBinary: handWritten, messageType: Fixtures.everythingType)
        #expect(decoded == #"{"rInt32":[7,8],"uInt32":[9,10]}"#)
        #expect(try FixtureEverything(serializedBytes: handWritten).rInt32 == [7, 8])
    }
}
