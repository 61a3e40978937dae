import Foundation
@testable import KnockWire
import NIOCore
import SwiftProtobuf
import Testing

/// The hand-written request header codec against SwiftProtobuf, the reference.
@Suite("Request header codec")
struct RequestHeaderCodecTests {
    private static let pieces = ["a", "knock", ".", "Echo", "é", "敲门", "🚪", "-", "_", "0"]

    private func string(_ random: inout some RandomNumberGenerator, maxPieces: Int) -> String {
        (0..<Int.random(in: 0...maxPieces, using: &random)).map { _ in Self.pieces.randomElement(using: &random)! }.joined()
    }

    private func header(_ random: inout some RandomNumberGenerator) -> WireRequestHeader {
        var header = WireRequestHeader()
        header.method = string(&random, maxPieces: 80)  // past 127 bytes: two-byte lengths
        switch Int.random(in: 0..<4, using: &random) {
        case 0: header.timeoutUs = 0
        case 1: header.timeoutUs = .max
        default: header.timeoutUs = UInt64.random(in: 0...(1 << Int.random(in: 1...63, using: &random)), using: &random)
        }
        header.metadata = (0..<Int.random(in: 0...3, using: &random)).map { _ in
            var entry = WireMetadataEntry()
            entry.key = string(&random, maxPieces: 4)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: entry.text = string(&random, maxPieces: 50)
            case 1: entry.binary = Data((0..<Int.random(in: 0...200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            default: break
            }
            return entry
        }
        if Bool.random(using: &random) { header.idempotencyKey = string(&random, maxPieces: 10) }
        header.initialCredit = [0, 1, 16, 300, .max].randomElement(using: &random)!
        return header
    }

    @Test("random headers encode to SwiftProtobuf's bytes and decode back on the fast path")
    func randomHeaders() throws {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // A failure prints the header, so the case can be rerun.
            let header = header(&random)
            let reference: [UInt8] = try header.serializedBytes()
            var buffer = ByteBuffer()
            let written = header.encode(into: &buffer)
            #expect(written == reference.count, "\(header)")
            #expect(header.encodedSize == reference.count, "\(header)")
            #expect(Array(buffer.readableBytesView) == reference, "\(header)")
            #expect(WireRequestHeader.decodeCommon(buffer) == header, "\(header)")
            #expect(try WireRequestHeader(decoding: buffer) == header, "\(header)")
        }
    }

    @Test("a header with unknown fields is encoded by SwiftProtobuf")
    func unknownFieldsEncode() throws {
        var header = WireRequestHeader()
        header.method = "knock.demo.Echo"
        try header.merge(serializedBytes: [0x30, 0x07] as [UInt8])  // field 6, varint 7
        let reference: [UInt8] = try header.serializedBytes()
        var buffer = ByteBuffer()
        #expect(header.encode(into: &buffer) == reference.count)
        #expect(Array(buffer.readableBytesView) == reference)
        #expect(header.encodedSize == reference.count)
    }

    /// Bytes the fast path hands to SwiftProtobuf, with what SwiftProtobuf makes of them.
    @Test("unusual bytes decode exactly as SwiftProtobuf decodes them", arguments: [
        [0x0A, 0x03, 0x61, 0x2E, 0x62, 0x30, 0x07],  // an unknown field 6
        [0x10, 0x05, 0x0A, 0x03, 0x61, 0x2E, 0x62],  // timeout before method
        [0x0A, 0x01, 0x61, 0x0A, 0x03, 0x61, 0x2E, 0x62],  // method twice: the last wins
        [0x1A, 0x06, 0x12, 0x01, 0x61, 0x1A, 0x01, 0x62],  // text then binary: the last wins
        [0x1A, 0x03, 0x0A, 0x01, 0x6B, 0x0A, 0x03, 0x61, 0x2E, 0x62],  // metadata before method
        [0x28, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F],  // initial_credit over 32 bits
        [0x0A, 0x02, 0xC3, 0x28],  // invalid UTF-8
        [0x0A, 0x05, 0x61],  // truncated string
        [0x10, 0x80],  // truncated varint
        [0x12, 0x01, 0x61],  // timeout_us with the length-delimited wire type
        [0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],  // an 11-byte varint
        [0x1A, 0x02, 0x38, 0x01],  // a metadata entry with an unknown field
    ] as [[UInt8]])
    func unusualBytes(_ bytes: [UInt8]) {
        #expect(WireRequestHeader.decodeCommon(ByteBuffer(bytes: bytes)) == nil, "the fast path should leave these to SwiftProtobuf")
        let reference = Result { try WireRequestHeader(serializedBytes: bytes) }
        let decoded = Result { try WireRequestHeader(decoding: ByteBuffer(bytes: bytes)) }
        switch (reference, decoded) {
        case (.success(let expected), .success(let actual)):
            #expect(actual == expected)
        case (.failure(let expected), .failure(let actual)):
            #expect(String(describing: actual) == String(describing: expected))
        default:
            Issue.record("SwiftProtobuf gives \(reference), the codec \(decoded)")
        }
    }

    @Test("an empty END payload is the OK status")
    func emptyStatus() throws {
        let frame = Frame(type: .end, callID: 1, payload: ByteBuffer())
        #expect(try frame.decodeStatus() == WireStatus())
    }
}
