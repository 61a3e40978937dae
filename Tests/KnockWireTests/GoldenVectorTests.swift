import Foundation
import KnockWire
import NIOCore
import NIOEmbedded
import SwiftProtobuf
import Testing

@Suite("Golden vectors in Protocol/vectors")
struct GoldenVectorTests {
    init() {
        _ = Google_Protobuf_Any.register(messageType: WireErrorInfo.self)
        _ = Google_Protobuf_Any.register(messageType: WireRetryInfo.self)
    }

    @Test("the vectors are there and cover every frame type and error")
    func coverage() throws {
        let all = try GoldenVector.loadAll()
        #expect(all.count >= 40)
        let validTypes = Set(all.compactMap(\.frame?.type))
        for type in FrameType.defined {
            #expect(validTypes.contains(type.name), "no valid vector of type \(type.name)")
        }
        #expect(validTypes.contains("EXTENSION"))
        let errorCodes = Set(all.compactMap(\.error?.code))
        let expected: [WireError.Code] = [
            .frameTooShort, .frameTooLarge, .unknownFrameType, .undefinedFlags, .invalidCallID,
            .invalidPayloadLength, .invalidCredit, .truncatedFrame,
        ]
        for code in expected {
            #expect(errorCodes.contains(code.rawValue), "no invalid vector for \(code)")
        }
    }

    @Test("every valid vector decodes to its described frame", arguments: GoldenVector.valid)
    func decodesValid(_ vector: GoldenVector) throws {
        let decoder = FrameDecoder(role: try role(vector), maxFrameSize: vector.max_frame_size)
        var bytes = vector.bytes
        let frame = try #require(try decoder.nextFrame(from: &bytes))
        #expect(bytes.readableBytes == 0, "bytes left after the frame")
        let fields = try #require(vector.frame)
        #expect(frame.type.rawValue == fields.type_byte)
        #expect(frame.type.name == fields.type)
        #expect(frame.flags.rawValue == fields.flags)
        #expect(frame.callID == fields.call_id)
        #expect(frame.length == fields.length)
        #expect(frame.payload.hexString == fields.payload_hex)
        try checkTypedFields(frame, fields, vector)
    }

    @Test("every valid vector is produced by the typed encoder, byte for byte", arguments: GoldenVector.valid)
    func encodesValid(_ vector: GoldenVector) throws {
        let fields = try #require(vector.frame)
        let frame = try buildFrame(fields)
        var out = ByteBuffer()
        out.writeFrame(frame)
        #expect(out.hexString == vector.hex)
        var encoded = ByteBuffer()
        try FrameEncoder(peerMaxFrameSize: vector.max_frame_size).encode(data: frame, out: &encoded)
        #expect(encoded.hexString == vector.hex)
    }

    @Test("every invalid vector yields its documented error", arguments: GoldenVector.invalid)
    func rejectsInvalid(_ vector: GoldenVector) throws {
        let expected = try #require(vector.error)
        let decoder = FrameDecoder(role: try role(vector), maxFrameSize: vector.max_frame_size)
        var bytes = vector.bytes
        if expected.at_eof {
            // Nothing is wrong until the connection ends.
            #expect(try decoder.nextFrame(from: &bytes) == nil)
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(decoder))
            try channel.writeInbound(vector.bytes)
            let error = try #require(throws: WireError.self) { _ = try channel.finish() }
            #expect(error.code.rawValue == expected.code)
            #expect(error.code.connectionErrorCode.name == expected.connection_error)
        } else {
            let error = try #require(throws: WireError.self) { _ = try decoder.nextFrame(from: &bytes) }
            #expect(error.code.rawValue == expected.code)
            #expect(error.code.connectionErrorCode.name == expected.connection_error)
            #expect(!error.message.isEmpty)
        }
    }

    @Test("invalid vectors fed one byte at a time fail the same way and produce no frame", arguments: GoldenVector.invalid)
    func rejectsInvalidByteByByte(_ vector: GoldenVector) throws {
        let expected = try #require(vector.error)
        let channel = EmbeddedChannel(
            handler: ByteToMessageHandler(FrameDecoder(role: try role(vector), maxFrameSize: vector.max_frame_size))
        )
        var caught: WireError?
        for byte in vector.bytes.readableBytesView where caught == nil {
            do {
                try channel.writeInbound(ByteBuffer(bytes: [byte]))
            } catch let error as WireError {
                caught = error
            }
        }
        if caught == nil {
            do { _ = try channel.finish() } catch let error as WireError { caught = error }
        }
        #expect(caught?.code.rawValue == expected.code)
        #expect(try channel.readInbound(as: Frame.self) == nil)
    }

    // MARK: helpers

    private func role(_ vector: GoldenVector) throws -> ConnectionRole {
        try #require(ConnectionRole(rawValue: vector.receiver))
    }

    private func checkTypedFields(_ frame: Frame, _ fields: GoldenVector.Fields, _ vector: GoldenVector) throws {
        if let hello = fields.hello {
            #expect(try frame.decodeHello() == WireHello(jsonString: hello.jsonString))
        }
        if let request = fields.request {
            #expect(Int(frame.payload.getInteger(at: frame.payload.readerIndex, as: UInt32.self)!) == request.header_length)
            if let callError = vector.call_error {
                let error = try #require(throws: WireError.self) { _ = try frame.requestParts() }
                #expect(error.code.rawValue == callError.code)
                #expect(callError.status == "INVALID_ARGUMENT")
            } else {
                let parts = try frame.requestParts()
                #expect(parts.header == (try WireRequestHeader(jsonString: try #require(request.header).jsonString)))
                #expect(parts.message.hexString == request.message_hex)
                #expect(frame.isServerStream == (fields.flags & 0x01 != 0))
            }
        }
        if let status = fields.status {
            let decoded = try frame.decodeStatus()
            let expected = try WireStatus(jsonString: status.jsonString)
            #expect(decoded.code == expected.code)
            #expect(decoded.message == expected.message)
            #expect(decoded.trailers == expected.trailers)
            // Any details compare by their packed bytes (a JSON-parsed Any holds a message, a
            // binary-parsed one holds bytes).
            #expect(decoded.details.count == expected.details.count)
            for (got, want) in zip(decoded.details, expected.details) {
                #expect(got.typeURL == want.typeURL)
                #expect(try got.serializedBytes() as [UInt8] == want.serializedBytes() as [UInt8])
            }
        }
        if let goAway = fields.go_away {
            #expect(try frame.decodeGoAway() == WireGoAway(jsonString: goAway.jsonString))
        }
        if let credit = fields.credit {
            #expect(frame.creditIncrement == credit)
        }
        if let ping = fields.ping {
            #expect(frame.pingData == UInt64(ping, radix: 16))
        }
    }

    /// Builds the frame from the description alone, through the typed constructors.
    private func buildFrame(_ fields: GoldenVector.Fields) throws -> Frame {
        switch fields.type {
        case "HELLO":
            return .hello(try WireHello(jsonString: try #require(fields.hello).jsonString))
        case "REQUEST":
            let request = try #require(fields.request)
            guard let header = request.header, let message = request.message_hex else {
                // Deliberately malformed header: only the raw form can express it.
                return Frame(type: .request, flags: FrameFlags(rawValue: fields.flags), callID: fields.call_id,
                             payload: ByteBuffer(bytes: Array(hexString: fields.payload_hex)))
            }
            return .request(
                callID: fields.call_id,
                header: try WireRequestHeader(jsonString: header.jsonString),
                message: ByteBuffer(bytes: Array(hexString: message)),
                serverStream: fields.flags & 0x01 != 0
            )
        case "MESSAGE":
            var frame = Frame.message(callID: fields.call_id, ByteBuffer(bytes: Array(hexString: fields.payload_hex)))
            frame.flags = FrameFlags(rawValue: fields.flags)
            return frame
        case "END":
            return try .end(callID: fields.call_id, status: WireStatus(jsonString: try #require(fields.status).jsonString))
        case "CANCEL":
            return .cancel(callID: fields.call_id)
        case "CREDIT":
            return .credit(callID: fields.call_id, increment: try #require(fields.credit))
        case "PING", "PONG":
            let text = try #require(fields.ping)
            let opaque = try #require(UInt64(text, radix: 16))
            return fields.type == "PING" ? .ping(opaque) : .pong(opaque)
        case "GOAWAY":
            return .goAway(try WireGoAway(jsonString: try #require(fields.go_away).jsonString))
        default:
            return Frame(type: FrameType(rawValue: fields.type_byte), flags: FrameFlags(rawValue: fields.flags),
                         callID: fields.call_id, payload: ByteBuffer(bytes: Array(hexString: fields.payload_hex)))
        }
    }
}
