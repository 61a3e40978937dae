import Foundation
import KnockRPC
import KnockTestSupport
import KnockWire
import NIOCore
import SwiftProtobuf
import Testing

/// The extension `knock.unary-end-ok` (PROTOCOL.md §4.7) between a real `RPCConnection` and a
/// raw peer that does or does not list it: with both sides listing it a successful unary call
/// is answered by one MESSAGE flagged END_OK; otherwise, and for every failure, as in §4.2.
@Suite("knock.unary-end-ok")
struct UnaryEndOKTests {
    /// A HELLO as a raw peer sends it, listing `knock.unary-end-ok` if asked to.
    static func hello(unaryEndOK: Bool, required: Bool = false) -> Frame {
        var hello = WireHello.knockDefault()
        if unaryEndOK {
            var offer = WireExtension.unaryEndOK
            offer.required = required
            hello.extensions.append(offer)
        }
        return .hello(hello)
    }

    func echoRequest(_ id: UInt32, text: String) throws -> Frame {
        var header = WireRequestHeader()
        header.method = DemoService.echo.name
        return .request(callID: id, header: header, message: try DemoEchoRequest(text: text).serializedByteBuffer())
    }

    /// A serving connection with the demo methods, facing a raw dialer.
    func serving(peerListsIt: Bool, configuration: ConnectionConfiguration = ConnectionConfiguration()) async throws -> (RawPeer, RPCConnection) {
        let (peer, fd) = try await RawPeer.socketPair(role: .dialer)
        var router = RPCRouter()
        router.add(DemoService(probe: DemoProbe()))
        let server = try await RPCConnection.attach(fd: fd, role: .acceptor, end: InProcessEnd(router: router, configuration: configuration))
        try await peer.send(Self.hello(unaryEndOK: peerListsIt))
        return (peer, server)
    }

    /// A calling connection facing a raw acceptor that answers by hand.
    func calling(peerListsIt: Bool) async throws -> (RawPeer, RPCConnection) {
        let (peer, fd) = try await RawPeer.socketPair(role: .acceptor)
        let client = try await RPCConnection.attach(fd: fd, role: .dialer, end: InProcessEnd())
        try await peer.send(Self.hello(unaryEndOK: peerListsIt))
        try await client.waitUntilReady()
        return (peer, client)
    }

    /// Answers the raw peer's first REQUEST with a MESSAGE flagged END_OK; returns the REQUEST.
    func answerFlagged(_ peer: RawPeer, text: String) async throws -> Frame {
        let request = try #require(await peer.waitForFrame { $0.type == .request })
        var message = Frame.message(callID: request.callID, try DemoEchoResponse.with { $0.text = text }.serializedByteBuffer())
        message.flags = .endOK
        try await peer.send(message)
        return request
    }

    @Test("a default configuration offers it, optional, in the HELLO of the golden vector hello-unary-end-ok")
    func offered() throws {
        let payload: [UInt8] = try ConnectionConfiguration().hello.serializedBytes()
        // Protocol/vectors/hello-unary-end-ok.json, the bytes after the frame header.
        let vector = "0a01011080808002186420b0ea01320d6b6e6f636b2d73776966742f313a140a126b6e6f636b2e756e6172792d656e642d6f6b"
        #expect(payload.map { String(format: "%02x", $0) }.joined() == vector)
        #expect(ConnectionConfiguration(unaryEndOK: false).hello.extensions.isEmpty)
    }

    @Test("both sides list it: a successful unary call is answered by one MESSAGE flagged END_OK, and no END")
    func oneFrame() async throws {
        let (peer, server) = try await serving(peerListsIt: true)
        async let serving: Void = server.run()
        let hello = try #require(await peer.waitForFrame { $0.type == .hello }).decodeHello()
        #expect(hello.lists(extension: "knock.unary-end-ok"))
        #expect(hello.extensions.first { $0.name == "knock.unary-end-ok" }?.required == false)

        try await peer.send(echoRequest(1, text: "敲门"), echoRequest(3, text: "再敲"))
        let second = try #require(await peer.waitForFrame { $0.type == .message && $0.callID == 3 })
        let first = try #require(peer.received.first { $0.type == .message && $0.callID == 1 })
        #expect(first.flags == .endOK)
        #expect(second.flags == .endOK)
        #expect(try DemoEchoResponse(serializedBytes: first.payload.readableBytesSpan).text == "敲门")
        #expect(try DemoEchoResponse(serializedBytes: second.payload.readableBytesSpan).text == "再敲")

        // A failing call still ends with END and its status; the earlier calls got none.
        var header = WireRequestHeader()
        header.method = DemoService.fail.name
        try await peer.send(.request(callID: 5, header: header, message: try DemoFailRequest.with { $0.code = 9; $0.message = "no" }.serializedByteBuffer()))
        let end = try #require(await peer.waitForFrame { $0.type == .end })
        #expect(end.callID == 5)
        #expect(try end.decodeStatus().code == 9)
        #expect(!peer.received.contains { $0.type == .message && $0.callID == 5 })
        #expect(!peer.received.contains { $0.type == .end && $0.callID != 5 })
        server.close()
        await serving
    }

    @Test("a peer that does not list it gets MESSAGE and END, unflagged", arguments: [false, true])
    func plainForm(serverOffers: Bool) async throws {
        let (peer, server) = try await serving(peerListsIt: !serverOffers, configuration: ConnectionConfiguration(unaryEndOK: serverOffers))
        async let serving: Void = server.run()
        let hello = try #require(await peer.waitForFrame { $0.type == .hello }).decodeHello()
        #expect(hello.lists(extension: "knock.unary-end-ok") == serverOffers)
        try await peer.send(echoRequest(1, text: "敲门"))
        let end = try #require(await peer.waitForFrame { $0.type == .end })
        #expect(try end.decodeStatus().code == 0)
        let message = try #require(peer.received.first { $0.type == .message })
        #expect(message.flags == [])
        #expect(try DemoEchoResponse(serializedBytes: message.payload.readableBytesSpan).text == "敲门")
        server.close()
        await serving
    }

    @Test("a caller takes a MESSAGE flagged END_OK as the end of its unary call")
    func callerEndsOnFlag() async throws {
        let (peer, client) = try await calling(peerListsIt: true)
        async let answer = client.call(DemoService.echo, DemoEchoRequest(text: "敲门"), options: CallOptions(timeout: .seconds(5)))
        let request = try await answerFlagged(peer, text: "敲门")
        #expect(try await answer.text == "敲门")
        // The call is over: an END crossing it on the wire is ignored, and the connection
        // still carries calls.
        try await peer.send(.end(callID: request.callID, code: .ok))
        async let next = client.call(DemoService.echo, DemoEchoRequest(text: "再敲"))
        let nextRequest = try #require(await peer.waitForFrame { $0.type == .request && $0.callID > request.callID })
        try await peer.send(.message(callID: nextRequest.callID, try DemoEchoResponse.with { $0.text = "再敲" }.serializedByteBuffer()), .end(callID: nextRequest.callID, code: .ok))
        #expect(try await next.text == "再敲")
        #expect(!peer.received.contains { $0.type == .goAway })
        client.close()
    }

    @Test("without the extension in force the flag is an ignorable bit: the call waits for END")
    func flagIgnoredWithoutExtension() async throws {
        let (peer, client) = try await calling(peerListsIt: false)
        async let answer = client.call(DemoService.echo, DemoEchoRequest(text: "敲门"), options: CallOptions(timeout: .milliseconds(400)))
        _ = try await answerFlagged(peer, text: "敲门")
        do {
            let response = try await answer
            Issue.record("the call ended with \(response.text) on a flag that is not in force")
        } catch let error as RPCError {
            #expect(error.code == .deadlineExceeded)
        }
        client.close()
    }

    @Test("a peer that requires it is served when this side offers it, refused when not")
    func required() async throws {
        for offers in [true, false] {
            let (peer, fd) = try await RawPeer.socketPair(role: .dialer)
            let server = try await RPCConnection.attach(fd: fd, role: .acceptor, end: InProcessEnd(router: RPCRouter(), configuration: ConnectionConfiguration(unaryEndOK: offers)))
            try await peer.send(Self.hello(unaryEndOK: true, required: true))
            async let serving: Void = server.run()
            if offers {
                try await server.waitUntilReady()
                #expect(!peer.received.contains { $0.type == .goAway })
                server.close()
            } else {
                let goAway = try #require(await peer.waitForFrame { $0.type == .goAway }).decodeGoAway()
                #expect(goAway.errorCode == ConnectionErrorCode.unsupportedExtension.rawValue)
                #expect(goAway.message.contains("knock.unary-end-ok"))
            }
            await serving
        }
    }
}
