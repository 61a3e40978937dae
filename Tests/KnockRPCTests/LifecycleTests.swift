import Foundation
import KnockRPC
import KnockTestSupport
import KnockWire
import NIOCore
import NIOPosix
import Testing

@Suite("Deadlines, cancellation, drain")
struct LifecycleTests {
    func pair(probe: DemoProbe, serverConfig: ConnectionConfiguration = ConnectionConfiguration()) async throws -> (RPCConnection, RPCConnection) {
        var router = RPCRouter()
        router.add(DemoService(probe: probe))
        return try await RPCConnection.inProcessPair(server: InProcessEnd(router: router, configuration: serverConfig))
    }

    @Test("a deadline expires server-side: DEADLINE_EXCEEDED and the handler is cancelled")
    func serverDeadline() async throws {
        let probe = DemoProbe()
        let (client, server) = try await pair(probe: probe)
        async let serving: Void = server.run()
        let started = ContinuousClock.now
        let error = try await #require(throws: RPCError.self) {
            try await client.call(DemoService.sleep, DemoSleepRequest(milliseconds: 10_000, tag: "slow"), options: CallOptions(timeout: .seconds(1)))
        }
        #expect(error.code == .deadlineExceeded)
        #expect(ContinuousClock.now - started < .seconds(4))
        // A handler that started is cancelled at the deadline; on a very loaded machine the call
        // may end before its handler ever starts, and then it never runs.
        #expect(await probe.wait { $0.wasCancelled("slow") || !$0.didStart("slow") }, "the handler's task was not cancelled")
        #expect(probe.didStart("slow") == probe.wasCancelled("slow"))
        // The connection carries on.
        #expect(try await client.call(DemoService.echo, DemoEchoRequest(text: "after")).text == "after")
        client.close()
        await serving
    }

    @Test("a deadline expires client-side even when the peer never answers, and a CANCEL is sent")
    func clientDeadline() async throws {
        let (peer, fd) = try await RawPeer.socketPair(role: .acceptor)
        let client = try await ClientBootstrapConnection.open(fd: fd)
        // The raw peer answers HELLO and then stays silent.
        try await peer.send(.hello(.knockDefault()))
        try await client.waitUntilReady()
        let started = ContinuousClock.now
        let error = try await #require(throws: RPCError.self) {
            try await client.call(DemoService.echo, DemoEchoRequest(text: "anyone?"), options: CallOptions(timeout: .milliseconds(150)))
        }
        #expect(error.code == .deadlineExceeded)
        #expect(ContinuousClock.now - started < .seconds(2))
        let request = await peer.waitForFrame { $0.type == .request }
        #expect(request?.callID == 1)
        let header = try #require(request).requestParts().header
        #expect(header.timeoutUs > 0 && header.timeoutUs <= 150_000)
        let cancel = await peer.waitForFrame { $0.type == .cancel }
        #expect(cancel?.callID == 1)
        // A late answer for the abandoned call is ignored, and the connection stays usable.
        try await peer.send(.message(callID: 1, ByteBuffer()), .end(callID: 1, code: .ok))
        #expect(!peer.isClosed)
        client.close()
    }

    @Test("cancelling the caller's task cancels the handler on the other side")
    func taskCancellation() async throws {
        let probe = DemoProbe()
        let (client, server) = try await pair(probe: probe)
        async let serving: Void = server.run()
        let call = Task {
            try await client.call(DemoService.sleep, DemoSleepRequest(milliseconds: 10_000, tag: "abandoned"))
        }
        #expect(await probe.wait { $0.didStart("abandoned") })
        call.cancel()
        let result = await call.result
        #expect(throws: RPCError.self) { try result.get() }
        if case .failure(let error as RPCError) = result { #expect(error.code == .cancelled) }
        #expect(await probe.wait { $0.wasCancelled("abandoned") }, "the handler was not cancelled")
        #expect(await probe.wait { _ in server.openCalls == 0 })
        client.close()
        await serving
    }

    @Test("go-away: in-flight calls finish, new calls are refused with UNAVAILABLE, then the connection closes")
    func drain() async throws {
        let probe = DemoProbe()
        let (client, server) = try await pair(probe: probe)
        async let serving: Void = server.run()
        async let inFlight = client.call(DemoService.sleep, DemoSleepRequest(milliseconds: 300, tag: "in-flight"))
        #expect(await probe.wait { $0.didStart("in-flight") })
        server.drain(message: "host shutting down")
        // Once the GOAWAY has reached the client, new calls are refused without reaching the server.
        try await Task.sleep(for: .milliseconds(100))
        let refused = try await #require(throws: RPCError.self) {
            try await client.call(DemoService.echo, DemoEchoRequest(text: "too late"))
        }
        #expect(refused.code == .unavailable)
        #expect(try await inFlight.completed == true)
        try await client.closeFuture.get()
        await serving
    }

    @Test("a server stream of 100,000 messages to a slow reader keeps the sender bounded by its credit")
    func slowReader() async throws {
        let probe = DemoProbe()
        let (client, server) = try await pair(probe: probe)
        async let serving: Void = server.run()
        var request = DemoCountdownRequest()
        request.from = 100_000
        request.payloadSize = 64
        let window: UInt32 = 32
        let (count, maxAhead) = try await client.stream(DemoService.countdown, request, options: CallOptions(streamWindow: window)) { responses in
            var count = 0
            var maxAhead = 0
            for try await _ in responses {
                count += 1
                maxAhead = max(maxAhead, probe.streamedCount - count)
                if count % 10_000 == 0 {
                    // The reader pauses; the writer must stop within its credit.
                    try await Task.sleep(for: .milliseconds(100))
                    let ahead = probe.streamedCount - count
                    #expect(ahead <= Int(window), "the sender ran \(ahead) messages ahead of a paused reader")
                }
            }
            return (count, maxAhead)
        }
        #expect(count == 100_000)
        #expect(maxAhead <= Int(window) + 1)
        client.close()
        await serving
    }
}

/// Opens an `RPCConnection` (dialer, no router) on one end of a socket pair.
enum ClientBootstrapConnection {
    static func open(fd: Int32) async throws -> RPCConnection {
        try await RPCConnection.attach(fd: fd, role: .dialer, end: InProcessEnd())
    }
}
