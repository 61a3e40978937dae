import Foundation
import KnockSchema
import KnockTestSupport
import SwiftProtobuf
import Testing

/// Malformed protobuf binary throws a ``SchemaError`` naming the problem: it never crashes,
/// never reads out of bounds and never allocates what a length prefix merely claims.
@Suite("Malformed binary input")
struct MalformedBinaryTests {
    private let codec: DynamicCodec

    init() throws {
        codec = try Fixtures.everythingCodec()
    }

    /// The error converting `bytes` to JSON.
    private func failure(_ bytes: [UInt8], type: String = Fixtures.everythingType) -> SchemaError? {
        Fixtures.schemaError { _ = try codec.json(fromBinary: bytes, messageType: type) }
    }

    private static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        return bytes + [UInt8(value)]
    }

    @Test("each malformation gets its own message, at its field")
    func malformations() throws {
        let cases: [([UInt8], String)] = [
            ([0x08, 0x80], "f_int32: the input ends inside a varint"),
            ([0x08] + Array(repeating: 0xFF, count: 10) + [0x01], "f_int32: a varint is longer than 10 bytes"),
            ([0x80], "the input ends inside a varint"),
            ([0x72] + Self.varint(1 << 32) + [0x61], "f_string: a length of 4294967296 bytes runs past the end of the input (1 left)"),
            ([0x72] + Self.varint(.max), "f_string: a length of 18446744073709551615 bytes runs past the end of the input (0 left)"),
            ([0x0A, 0x00], "f_int32: wire type 2 (length-delimited) does not fit a field of type int32, written with wire type 0 (varint)"),
            ([0x8D, 0x01, 0, 0, 0, 0], "f_nested: wire type 5 (32-bit) does not fit a field of type knock.schema.test.Everything.Nested, written with wire type 2 (length-delimited)"),
            ([0x0E], "wire type 6 does not exist (field 1)"),
            ([0x07], "wire type 7 does not exist (field 0)"),
            ([0x00, 0x00], "field number 0 is not allowed"),
            ([0xFF, 0xFF, 0xFF, 0xFF, 0x7F], "a field tag is larger than 32 bits"),
            ([0xCC, 0x3E], "an end-group tag for field 1001 has no matching start"),
            ([0xCB, 0x3E, 0x08, 0x01], "the input ends inside group 1001"),
            ([0xCB, 0x3E, 0xD4, 0x3E], "group 1001 is closed by an end-group tag for field 1002"),
            ([0x72, 0x02, 0xC3, 0x28], "f_string: a string field holds invalid UTF-8"),
            ([0x41, 1, 2, 3], "f_fixed64: the input ends inside a 64-bit value"),
            ([0x3D, 1, 2, 3], "f_fixed32: the input ends inside a 32-bit value"),
            ([0xFA, 0x01, 0x02, 0x01, 0x80], "r_int32[1]: the input ends inside a varint"),
            ([0xE2, 0x03, 0x03, 0x08, 0x01, 0x12], "m_string_string: wire type 0 (varint) does not fit a field of type string, written with wire type 2 (length-delimited)"),
            ([0xE2, 0x03, 0x02, 0x12, 0x05], "m_string_string: a length of 5 bytes runs past the end of the input (0 left)"),
            ([0x8A, 0x01, 0x02, 0x1A, 0x03], "f_nested.child: a length of 3 bytes runs past the end of the input (0 left)"),
        ]
        for (bytes, expected) in cases {
            let error = try #require(failure(bytes), "\(bytes)")
            #expect(error.code == .malformedBinary, "\(bytes)")
            #expect(error.description == expected)
        }
    }

    @Test("nesting deeper than 100 messages is refused, in fields and through Any")
    func deepNesting() throws {
        // Nested.child (field 3) two hundred levels deep, inside Everything.f_nested (field 17).
        var inner: [UInt8] = []
        for _ in 0..<200 {
            inner = [0x1A] + Self.varint(UInt64(inner.count)) + inner
        }
        let bytes = [0x8A, 0x01] + Self.varint(UInt64(inner.count)) + inner
        let deep = try #require(failure(bytes))
        #expect(deep.code == .malformedBinary)
        #expect(deep.message == "messages are nested more than 100 levels deep")
        #expect(deep.fieldPath.hasPrefix("f_nested.child.child."))

        // Unknown groups nested 200 deep.
        let groups = Array(repeating: [UInt8]([0xCB, 0x3E]), count: 200).flatMap { $0 } + Array(repeating: [UInt8]([0xCC, 0x3E]), count: 200).flatMap { $0 }
        #expect(failure(groups)?.message == "groups are nested more than 100 levels deep")

        // An Any holding an Any holding … 150 deep.
        // (Built from bytes at each level: SwiftProtobuf re-serializes nested Any messages once
        // per level, which takes exponential time.)
        var any = Google_Protobuf_Any()
        any.typeURL = "type.googleapis.com/google.protobuf.Empty"
        for _ in 0..<150 {
            var outer = Google_Protobuf_Any()
            outer.typeURL = "type.googleapis.com/google.protobuf.Any"
            outer.value = try any.serializedData()
            any = outer
        }
        var message = FixtureEverything()
        message.wAny = any
        let anyError = try #require(failure(try message.serializedBytes()))
        #expect(anyError.code == .malformedBinary)
    }

    @Test("an Any whose payload does not parse is malformed binary")
    func badAnyPayload() throws {
        var message = FixtureEverything()
        message.wAny.typeURL = "type.googleapis.com/knock.schema.other.Household"
        message.wAny.value = Data([0x0A, 0x05, 0x61])
        #expect(failure(try message.serializedBytes())?.description == "w_any.address: a length of 5 bytes runs past the end of the input (1 left)")
    }

    @Test("every prefix of a valid message decodes or throws a SchemaError", arguments: UInt64(1)...UInt64(12))
    func prefixes(seed: UInt64) throws {
        var random = RandomEverything(seed: seed)
        random.density = 0.25
        let bytes: [UInt8] = try random.everything().serializedBytes()
        // Every prefix of short messages; of long ones, about 300 spread over the whole length.
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 300)) {
            _ = failure(Array(bytes[..<length]))
        }
    }

    @Test("random bytes and mutated messages never crash")
    func randomInputs() throws {
        var generator = SeededGenerator(seed: 0x5EED)
        var failures: [SchemaError.Code: Int] = [:]
        var successes = 0
        for round in 0..<4000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...80, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                var random = RandomEverything(seed: UInt64(round))
                random.density = 0.2
                bytes = try random.everything().serializedBytes()
                for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            do {
                let json = try codec.json(fromBinary: bytes, messageType: Fixtures.everythingType)
                successes += 1
                // Whatever decodes must convert back to binary.
                _ = try codec.binary(fromJSON: json, messageType: Fixtures.everythingType)
            } catch let error as SchemaError {
                failures[error.code, default: 0] += 1
                #expect(!error.message.isEmpty)
            }
        }
        #expect(successes > 100)
        #expect(failures[.malformedBinary, default: 0] > 100)
    }
}
