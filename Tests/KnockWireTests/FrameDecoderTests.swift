import KnockWire
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@Suite("FrameDecoder")
struct FrameDecoderTests {
    /// The valid vectors a given receiver accepts, as (bytes, frames) pairs.
    private func validPairs(receiver: ConnectionRole) throws -> [(ByteBuffer, [Frame])] {
        let decoder = FrameDecoder(role: receiver)
        return try GoldenVector.valid
            .filter { $0.receiver == receiver.rawValue && $0.max_frame_size == WireLimits.defaultMaxFrameSize }
            .map { vector in
                var bytes = vector.bytes
                let frame = try #require(try decoder.nextFrame(from: &bytes))
                return (vector.bytes, [frame])
            }
    }

    @Test("NIO's verifier: every valid vector, byte by byte, in batches and all at once", arguments: [ConnectionRole.acceptor, .dialer])
    func verifier(receiver: ConnectionRole) throws {
        let pairs = try validPairs(receiver: receiver)
        #expect(pairs.count >= 5)
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            FrameDecoder(role: receiver)
        }
    }

    @Test("many frames in one read come out in order")
    func manyFramesInOneRead() throws {
        var input = ByteBuffer()
        var expected: [Frame] = []
        for index in 0..<200 {
            let callID = UInt32(index * 2 + 1)
            let frame = Frame.request(
                callID: callID,
                header: { var header = WireRequestHeader(); header.method = "knock.demo.Echo"; return header }(),
                message: ByteBuffer(string: String(repeating: "敲", count: index))
            )
            input.writeFrame(frame)
            expected.append(frame)
        }
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(role: .acceptor)))
        try channel.writeInbound(input)
        for frame in expected {
            #expect(try channel.readInbound(as: Frame.self) == frame)
        }
        #expect(try channel.readInbound(as: Frame.self) == nil)
        #expect(try channel.finish().isClean)
    }

    @Test("an oversize length is refused from the prefix alone, before the payload is buffered")
    func oversizeRefusedEarly() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(role: .acceptor, maxFrameSize: 16_384)))
        var prefix = ByteBuffer()
        prefix.writeInteger(UInt32(1 << 30))  // claims a 1 GiB frame
        let error = try #require(throws: WireError.self) { try channel.writeInbound(prefix) }
        #expect(error.code == .frameTooLarge)
        #expect(error.code.connectionErrorCode == .frameSizeError)
        #expect(error.message.contains("16384"))
    }

    @Test("a frame of exactly the maximum is accepted and one byte more is not")
    func maximumBoundary() throws {
        let decoder = FrameDecoder(role: .dialer, maxFrameSize: 16_384)
        var exact = ByteBuffer()
        exact.writeFrame(.message(callID: 1, ByteBuffer(repeating: 7, count: 16_384 - 6)))
        #expect(try decoder.nextFrame(from: &exact)?.payload.readableBytes == 16_378)
        var over = ByteBuffer()
        over.writeFrame(.message(callID: 1, ByteBuffer(repeating: 7, count: 16_384 - 5)))
        #expect(throws: WireError(.frameTooLarge, "frame length 16385 exceeds the maximum frame size 16384")) {
            _ = try decoder.nextFrame(from: &over)
        }
    }

    @Test("the encoder refuses a frame larger than the peer accepts")
    func encoderRefusesOversize() throws {
        let encoder = FrameEncoder(peerMaxFrameSize: 16_384)
        var out = ByteBuffer()
        let error = try #require(throws: WireError.self) {
            try encoder.encode(data: .message(callID: 1, ByteBuffer(repeating: 0, count: 20_000)), out: &out)
        }
        #expect(error.code == .frameTooLarge)
        #expect(out.readableBytes == 0)
    }

    @Test("encode then decode gives back every kind of frame")
    func roundTrip() throws {
        var header = WireRequestHeader()
        header.method = "canteen.PlaceOrder"
        header.timeoutUs = 1_500_000
        header.idempotencyKey = "order-42"
        var entry = WireMetadataEntry()
        entry.key = "x-grid"
        entry.text = "青和居-3"
        header.metadata = [entry]
        let frames: [(Frame, ConnectionRole)] = [
            (.hello(.knockDefault()), .acceptor),
            (.request(callID: 7, header: header, message: ByteBuffer(string: "午餐"), serverStream: true), .acceptor),
            (.request(callID: 8, header: header, message: ByteBuffer()), .dialer),
            (.message(callID: 7, ByteBuffer(string: "ok")), .dialer),
            (.end(callID: 7, code: .failedPrecondition, message: "the canteen is closed today"), .dialer),
            (.cancel(callID: 9), .acceptor),
            (.credit(callID: 9, increment: 64), .acceptor),
            (.ping(42), .dialer),
            (.pong(42), .acceptor),
            (.goAway(lastCallID: 9, code: .noError, message: "draining"), .dialer),
        ]
        for (frame, receiver) in frames {
            var bytes = ByteBuffer()
            bytes.writeFrame(frame)
            #expect(bytes.readableBytes == frame.encodedSize)
            let decoded = try FrameDecoder(role: receiver).nextFrame(from: &bytes)
            #expect(decoded == frame)
        }
        var bytes = ByteBuffer()
        bytes.writeFrame(frames[1].0)
        let parts = try #require(try FrameDecoder(role: .acceptor).nextFrame(from: &bytes)).requestParts()
        #expect(parts.header == header)
        #expect(String(buffer: parts.message) == "午餐")
    }

    @Test("random bytes never crash the decoder: each input yields frames or one WireError")
    func randomInput() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...64, using: &generator)
            var bytes = ByteBuffer(bytes: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
            // Small lengths so some inputs are structurally valid frames.
            if count >= 4 { bytes.setInteger(UInt32.random(in: 0...70, using: &generator), at: 0) }
            let decoder = FrameDecoder(role: .acceptor, maxFrameSize: 16_384)
            do {
                while let frame = try decoder.nextFrame(from: &bytes) {
                    #expect(frame.length <= 16_384)
                }
            } catch {
                // A WireError is the only acceptable failure.
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test("call id parity follows the receiver's role")
    func parity() {
        #expect(ConnectionRole.dialer.startsCall(withID: 1))
        #expect(!ConnectionRole.dialer.startsCall(withID: 2))
        #expect(ConnectionRole.acceptor.startsCall(withID: 2))
        #expect(!ConnectionRole.acceptor.startsCall(withID: 0))
        #expect(ConnectionRole.dialer.firstCallID == 1)
        #expect(ConnectionRole.acceptor.firstCallID == 2)
    }
}
