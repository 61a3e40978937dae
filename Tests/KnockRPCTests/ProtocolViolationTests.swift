import Foundation
import KnockRPC
import KnockTestSupport
import KnockWire
import NIOCore
import Testing

/// A misbehaving raw peer against a real `RPCConnection`: each violation gets the documented
/// answer from PROTOCOL.md §6.3.
@Suite("Protocol violations and limits")
struct ProtocolViolationTests {
    /// A serving connection (acceptor) facing a raw dialer.
    func servingAgainstRaw(
        configuration: ConnectionConfiguration = ConnectionConfiguration(),
        probe: DemoProbe = DemoProbe(),
        sendHello: Bool = true
    ) async throws -> (RawPeer, RPCConnection) {
        let (peer, fd) = try await RawPeer.socketPair(role: .dialer)
        var router = RPCRouter()
        router.add(DemoService(probe: probe))
        let server = try await RPCConnection.attach(fd: fd, role: .acceptor, end: InProcessEnd(router: router, configuration: configuration))
        if sendHello { try await peer.send(.hello(.knockDefault())) }
        return (peer, server)
    }

    func goAway(from peer: RawPeer) async throws -> WireGoAway {
        let frame = try #require(await peer.waitForFrame { $0.type == .goAway })
        return try frame.decodeGoAway()
    }

    func echoRequest(_ id: UInt32, text: String = "x", method: String = "knock.demo.Echo") throws -> Frame {
        var header = WireRequestHeader()
        header.method = method
        let message: [UInt8] = try DemoEchoRequest(text: text).serializedBytes()
        return .request(callID: id, header: header, message: ByteBuffer(bytes: message))
    }

    @Test("the serving side answers a raw client's call, byte-exact per the spec")
    func rawCall() async throws {
        let (peer, server) = try await servingAgainstRaw()
        async let serving: Void = server.run()
        try await peer.send(echoRequest(1, text: "敲门"))
        let end = try #require(await peer.waitForFrame { $0.type == .end })
        #expect(end.callID == 1)
        #expect(try end.decodeStatus().code == 0)
        let message = try #require(peer.received.first { $0.type == .message })
        #expect(try DemoEchoResponse(serializedBytes: message.payload.readableBytesSpan).text == "敲门")
        let hello = try #require(peer.received.first)
        #expect(hello.type == .hello, "HELLO must be the first frame")
        server.close()
        await serving
    }

    @Test("garbage bytes: GOAWAY and close", arguments: [
        ([0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], ConnectionErrorCode.frameSizeError),
        ([0x00, 0x00, 0x00, 0x08, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00], .protocolError),
        ([0x00, 0x00, 0x00, 0x02, 0x01, 0x00], .frameSizeError),
    ] as [([UInt8], ConnectionErrorCode)])
    func garbage(bytes: [UInt8], code: ConnectionErrorCode) async throws {
        let (peer, server) = try await servingAgainstRaw()
        async let serving: Void = server.run()
        try await peer.send(bytes: bytes)
        let goAway = try await goAway(from: peer)
        #expect(goAway.errorCode == code.rawValue)
        #expect(!goAway.message.isEmpty)
        #expect(await peer.waitForClose())
        await serving
    }

    @Test("an oversize frame is refused from its length alone")
    func oversize() async throws {
        let (peer, server) = try await servingAgainstRaw(configuration: ConnectionConfiguration(maxFrameSize: 16_384))
        async let serving: Void = server.run()
        #expect(try #require(await peer.waitForFrame { $0.type == .hello }).decodeHello().maxFrameSize == 16_384)
        var prefix = ByteBuffer()
        prefix.writeInteger(UInt32(16_385))
        prefix.writeBytes([0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
        try await peer.send(bytes: Array(prefix.readableBytesView))
        #expect(try await goAway(from: peer).errorCode == ConnectionErrorCode.frameSizeError.rawValue)
        #expect(await peer.waitForClose())
        await serving
    }

    @Test("bad call ids: wrong parity, not increasing, never started")
    func badCallIDs() async throws {
        for frames in [
            [try echoRequest(2)],                                   // even id from the dialer
            [try echoRequest(5), try echoRequest(3)],                // not increasing
            [Frame.cancel(callID: 99)],                              // never started
        ] {
            let (peer, server) = try await servingAgainstRaw()
            async let serving: Void = server.run()
            var buffer = ByteBuffer()
            for frame in frames { buffer.writeFrame(frame) }
            try await peer.send(bytes: Array(buffer.readableBytesView))
            #expect(try await goAway(from: peer).errorCode == ConnectionErrorCode.protocolError.rawValue)
            #expect(await peer.waitForClose())
            await serving
        }
    }

    @Test("a frame before HELLO is a protocol error")
    func frameBeforeHello() async throws {
        let (peer, server) = try await servingAgainstRaw(sendHello: false)
        async let serving: Void = server.run()
        try await peer.send(echoRequest(1))
        let goAway = try await goAway(from: peer)
        #expect(goAway.errorCode == ConnectionErrorCode.protocolError.rawValue)
        #expect(goAway.message.contains("HELLO"))
        await serving
    }

    @Test("no common version, or an unknown required extension, closes the connection")
    func helloMismatch() async throws {
        var future = WireHello.knockDefault()
        future.versions = [2, 3]
        var picky = WireHello.knockDefault()
        var ext = WireExtension()
        ext.name = "knock.telepathy"
        ext.required = true
        picky.extensions = [ext]
        for (hello, code) in [(future, ConnectionErrorCode.unsupportedVersion), (picky, .unsupportedExtension)] {
            let (peer, server) = try await servingAgainstRaw(sendHello: false)
            async let serving: Void = server.run()
            try await peer.send(.hello(hello))
            #expect(try await goAway(from: peer).errorCode == code.rawValue)
            #expect(await peer.waitForClose())
            await serving
        }
    }

    @Test("a peer that never sends HELLO is closed with TIMEOUT")
    func helloTimeout() async throws {
        let (peer, server) = try await servingAgainstRaw(configuration: ConnectionConfiguration(helloTimeout: .milliseconds(150)), sendHello: false)
        async let serving: Void = server.run()
        #expect(try await goAway(from: peer).errorCode == ConnectionErrorCode.timeout.rawValue)
        #expect(await peer.waitForClose())
        await serving
    }

    @Test("calls beyond the concurrent-call limit get RESOURCE_EXHAUSTED; the others go on")
    func concurrencyLimit() async throws {
        let probe = DemoProbe()
        let (peer, server) = try await servingAgainstRaw(configuration: ConnectionConfiguration(maxConcurrentCalls: 2), probe: probe)
        async let serving: Void = server.run()
        var buffer = ByteBuffer()
        for (index, id) in [UInt32(1), 3, 5].enumerated() {
            var header = WireRequestHeader()
            header.method = "knock.demo.Sleep"
            let message: [UInt8] = try DemoSleepRequest(milliseconds: 200, tag: "limit-\(index)").serializedBytes()
            buffer.writeFrame(.request(callID: id, header: header, message: ByteBuffer(bytes: message)))
        }
        try await peer.send(bytes: Array(buffer.readableBytesView))
        let refused = try #require(await peer.waitForFrame { $0.type == .end && $0.callID == 5 })
        #expect(try refused.decodeStatus().code == StatusCode.resourceExhausted.rawValue)
        let first = try #require(await peer.waitForFrame { $0.type == .end && $0.callID == 1 })
        #expect(try first.decodeStatus().code == 0)
        #expect(try #require(await peer.waitForFrame { $0.type == .end && $0.callID == 3 }).decodeStatus().code == 0)
        #expect(!probe.didStart("limit-2"))
        server.close()
        await serving
    }

    @Test("a malformed request header fails that call only")
    func malformedHeader() async throws {
        let (peer, server) = try await servingAgainstRaw()
        async let serving: Void = server.run()
        var payload = ByteBuffer()
        payload.writeInteger(UInt32(3))
        payload.writeBytes([0xFF, 0xFF, 0xFF])
        try await peer.send(Frame(type: .request, callID: 1, payload: payload))
        let end = try #require(await peer.waitForFrame { $0.type == .end && $0.callID == 1 })
        #expect(try end.decodeStatus().code == StatusCode.invalidArgument.rawValue)
        try await peer.send(echoRequest(3))
        #expect(try #require(await peer.waitForFrame { $0.type == .end && $0.callID == 3 }).decodeStatus().code == 0)
        #expect(!peer.isClosed)
        server.close()
        await serving
    }

    @Test("a PING is answered with a PONG carrying the same bytes")
    func ping() async throws {
        let (peer, server) = try await servingAgainstRaw()
        async let serving: Void = server.run()
        try await peer.send(.ping(0x0102_0304_0506_0708))
        let pong = try #require(await peer.waitForFrame { $0.type == .pong })
        #expect(pong.pingData == 0x0102_0304_0506_0708)
        server.close()
        await serving
    }

    @Test("keepalive: a peer that stops answering PINGs is closed with TIMEOUT")
    func keepaliveTimeout() async throws {
        let (peer, server) = try await servingAgainstRaw(configuration: ConnectionConfiguration(keepaliveInterval: .milliseconds(100)))
        async let serving: Void = server.run()
        #expect(await peer.waitForFrame { $0.type == .ping } != nil)
        #expect(try await goAway(from: peer).errorCode == ConnectionErrorCode.timeout.rawValue)
        #expect(await peer.waitForClose())
        await serving
    }

    @Test("idle timeout: GOAWAY NO_ERROR with message idle, then close")
    func idle() async throws {
        let (peer, server) = try await servingAgainstRaw(configuration: ConnectionConfiguration(idleTimeout: .milliseconds(200)))
        async let serving: Void = server.run()
        let goAway = try await goAway(from: peer)
        #expect(goAway.errorCode == 0)
        #expect(goAway.message == "idle")
        #expect(await peer.waitForClose())
        await serving
    }

    @Test("a callee that sends stream messages beyond its credit is a flow-control error")
    func creditViolation() async throws {
        let (peer, fd) = try await RawPeer.socketPair(role: .acceptor)
        let client = try await RPCConnection.attach(fd: fd, role: .dialer, end: InProcessEnd())
        try await peer.send(.hello(.knockDefault()))
        try await client.waitUntilReady()
        async let consumed: Result<Int, any Error> = {
            do {
                return .success(try await client.stream(DemoService.countdown, DemoCountdownRequest(), options: CallOptions(streamWindow: 2)) { responses in
                    var count = 0
                    for try await _ in responses {
                        count += 1
                        try await Task.sleep(for: .milliseconds(300))  // slow: the peer must not run ahead
                    }
                    return count
                })
            } catch {
                return .failure(error)
            }
        }()
        let request = try #require(await peer.waitForFrame { $0.type == .request })
        #expect(try request.requestParts().header.initialCredit == 2)
        // Window 2, plus 1 granted back after the first is consumed: the 4th is over the credit.
        for _ in 0..<10 { try? await peer.send(.message(callID: 1, ByteBuffer())) }
        let goAway = try await goAway(from: peer)
        #expect(goAway.errorCode == ConnectionErrorCode.flowControlError.rawValue)
        if case .failure(let error as RPCError) = await consumed {
            #expect(error.code == .unavailable)
        } else {
            Issue.record("the stream should fail when its connection fails")
        }
    }
}
