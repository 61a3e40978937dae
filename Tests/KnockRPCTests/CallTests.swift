import Foundation
import KnockRPC
import KnockTestSupport
import KnockWire
import NIOCore
import Testing

/// Calls over an in-process connection: the same frames and rules as TCP+TLS.
@Suite("Calls: unary, streams, both directions")
struct CallTests {
    func pair(probe: DemoProbe = DemoProbe(), serverConfig: ConnectionConfiguration = ConnectionConfiguration(), clientRouter: RPCRouter? = nil) async throws -> (RPCConnection, RPCConnection) {
        var router = RPCRouter()
        router.add(DemoService(probe: probe))
        return try await RPCConnection.inProcessPair(
            server: InProcessEnd(router: router, configuration: serverConfig),
            client: InProcessEnd(router: clientRouter)
        )
    }

    @Test("a unary call returns the response")
    func unary() async throws {
        let (client, server) = try await pair()
        async let serving: Void = server.run()
        let response = try await client.call(DemoService.echo, DemoEchoRequest(text: "敲门"))
        #expect(response.text == "敲门")
        #expect(client.peerHello?.versions == [1])
        client.close()
        await serving
    }

    @Test("1,000 concurrent calls on one connection interleave and all answer correctly")
    func thousandConcurrent() async throws {
        let (client, server) = try await pair()
        async let serving: Void = server.run()
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<1_000 {
                group.addTask {
                    let response = try await client.call(DemoService.echo, DemoEchoRequest(text: "call-\(index)"))
                    return (index, response.text)
                }
            }
            var seen = 0
            for try await (index, text) in group {
                #expect(text == "call-\(index)")
                seen += 1
            }
            #expect(seen == 1_000)
        }
        #expect(client.openCalls == 0)
        client.close()
        await serving
    }

    @Test("calls flow both ways at once on one connection")
    func bothDirections() async throws {
        // The dialer serves Echo too; the acceptor's Sleep handler is not used here. The
        // acceptor calls the dialer while the dialer calls the acceptor.
        var clientRouter = RPCRouter()
        clientRouter.add(DemoService())
        let (client, server) = try await pair(clientRouter: clientRouter)
        async let serverServing: Void = server.run()
        async let clientServing: Void = client.run()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let up = try await client.call(DemoService.echo, DemoEchoRequest(text: "up-\(index)"))
                    #expect(up.text == "up-\(index)")
                }
                group.addTask {
                    let down = try await server.call(DemoService.echo, DemoEchoRequest(text: "down-\(index)"))
                    #expect(down.text == "down-\(index)")
                }
            }
            try await group.waitForAll()
        }
        client.close()
        await serverServing
        await clientServing
    }

    @Test("a server stream delivers every message in order, then ends")
    func stream() async throws {
        let (client, server) = try await pair()
        async let serving: Void = server.run()
        var request = DemoCountdownRequest()
        request.from = 1_000
        let values = try await client.stream(DemoService.countdown, request, options: CallOptions(streamWindow: 8)) { responses in
            var values: [UInt32] = []
            for try await response in responses { values.append(response.value) }
            return values
        }
        #expect(values == Array((1...1_000).reversed()))
        client.close()
        await serving
    }

    @Test("errors come back with their code and message; unknown methods are UNIMPLEMENTED")
    func errors() async throws {
        let (client, server) = try await pair()
        async let serving: Void = server.run()
        var fail = DemoFailRequest()
        fail.code = StatusCode.notFound.rawValue
        fail.message = "resident r-404 does not exist"
        let error = try await #require(throws: RPCError.self) { try await client.call(DemoService.fail, fail) }
        #expect(error.code == .notFound)
        #expect(error.message == "resident r-404 does not exist")

        let unknown = RPCMethod<DemoEchoRequest, DemoEchoResponse>("knock.demo.Nope")
        let missing = try await #require(throws: RPCError.self) { try await client.call(unknown, DemoEchoRequest(text: "x")) }
        #expect(missing.code == .unimplemented)
        #expect(missing.message.contains("knock.demo.Nope"))

        // A unary method called as a stream.
        let wrongKind = RPCMethod<DemoEchoRequest, DemoEchoResponse>("knock.demo.Echo", kind: .serverStream)
        let mismatch = try await #require(throws: RPCError.self) {
            try await client.stream(wrongKind, DemoEchoRequest(text: "x")) { responses in
                for try await _ in responses {}
            }
        }
        #expect(mismatch.code == .unimplemented)

        // Bytes that are not an EchoRequest.
        let garbage = try await #require(throws: RPCError.self) {
            _ = try await client.callRaw("knock.demo.Echo", ByteBuffer(bytes: [0xFF, 0xFF, 0xFF]))
        }
        #expect(garbage.code == .invalidArgument)
        #expect(garbage.message.contains("knock.demo.EchoRequest"))

        // The connection is still fine after all of that.
        #expect(try await client.call(DemoService.echo, DemoEchoRequest(text: "still here")).text == "still here")
        client.close()
        await serving
    }

    @Test("messages larger than the receiver's maximum frame size fail with RESOURCE_EXHAUSTED, and nothing else")
    func frameSizeLimits() async throws {
        var router = RPCRouter()
        router.add(DemoService())
        let small = ConnectionConfiguration(maxFrameSize: 16_384)
        let (client, server) = try await RPCConnection.inProcessPair(
            server: InProcessEnd(router: router, configuration: small),
            client: InProcessEnd(configuration: small)
        )
        async let serving: Void = server.run()
        var big = DemoEchoRequest(text: "big")
        big.payload = Data(repeating: 1, count: 20_000)
        let request = try await #require(throws: RPCError.self) { try await client.call(DemoService.echo, big) }
        #expect(request.code == .resourceExhausted)
        #expect(request.message.contains("16384"))

        var countdown = DemoCountdownRequest()
        countdown.from = 2
        countdown.payloadSize = 20_000
        let response = try await #require(throws: RPCError.self) {
            try await client.stream(DemoService.countdown, countdown) { responses in
                for try await _ in responses {}
            }
        }
        #expect(response.code == .resourceExhausted)
        #expect(try await client.call(DemoService.echo, DemoEchoRequest(text: "small")).text == "small")
        client.close()
        await serving
    }

    @Test("an interceptor can refuse a call before the handler runs")
    func interceptorRefuses() async throws {
        struct OnlyEcho: ServerInterceptor {
            func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
                guard context.method == "knock.demo.Echo" else {
                    throw RPCError(code: .permissionDenied, message: "\(context.method) is not allowed")
                }
                var context = context
                context.attributes["checked"] = "yes"
                try await next(context)
            }
        }
        let probe = DemoProbe()
        var router = RPCRouter()
        router.add(DemoService(probe: probe))
        let (client, server) = try await RPCConnection.inProcessPair(server: InProcessEnd(router: router, interceptors: [OnlyEcho()]))
        async let serving: Void = server.run()
        #expect(try await client.call(DemoService.echo, DemoEchoRequest(text: "ok")).text == "ok")
        let denied = try await #require(throws: RPCError.self) {
            try await client.call(DemoService.sleep, DemoSleepRequest(milliseconds: 1, tag: "denied"))
        }
        #expect(denied.code == .permissionDenied)
        #expect(!probe.didStart("denied"))
        client.close()
        await serving
    }

    @Test("handlers on the event loop start there and stay there after they suspend", arguments: [true, false])
    func handlersOnEventLoop(onLoop: Bool) async throws {
        // Each handler reports whether it ran on the connection's event loop before and after
        // a suspension.
        var router = RPCRouter()
        let descriptor = RPCMethodDescriptor(name: "test.Where", kind: .unary, requestType: "bytes", responseType: "bytes")
        router.register(raw: descriptor) { _, context, responses in
            let before = context.connection.channel.eventLoop.inEventLoop
            try await Task.sleep(for: .milliseconds(1))
            let after = context.connection.channel.eventLoop.inEventLoop
            try await responses.send(ByteBuffer(bytes: [before ? 1 : 0, after ? 1 : 0]))
        }
        let (client, server) = try await RPCConnection.inProcessPair(
            server: InProcessEnd(router: router, configuration: ConnectionConfiguration(handlersOnEventLoop: onLoop))
        )
        async let serving: Void = server.run()
        try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<64 {
                group.addTask { Array(try await client.callRaw("test.Where", ByteBuffer()).readableBytesView) }
            }
            for try await placement in group {
                #expect(placement == (onLoop ? [1, 1] : [0, 0]))
            }
        }
        client.close()
        await serving
    }

    @Test("a handler that returns at once answers, and one that suspends first does too, in one burst")
    func mixedBurst() async throws {
        let probe = DemoProbe()
        let (client, server) = try await pair(probe: probe)
        async let serving: Void = server.run()
        try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<200 {
                group.addTask {
                    if index % 10 == 0 {
                        _ = try await client.call(DemoService.sleep, DemoSleepRequest(milliseconds: 5, tag: "s\(index)"))
                        return "slept"
                    }
                    return try await client.call(DemoService.echo, DemoEchoRequest(text: "e\(index)")).text
                }
            }
            var answers = 0
            for try await _ in group { answers += 1 }
            #expect(answers == 200)
        }
        #expect(client.openCalls == 0)
        client.close()
        await serving
    }

    @Test("a handler that waits holds up no other call, and cancelling it leaves the calls after it alone", arguments: [true, false])
    func waitingHandler(onLoop: Bool) async throws {
        let probe = DemoProbe()
        let (client, server) = try await pair(probe: probe, serverConfig: ConnectionConfiguration(handlersOnEventLoop: onLoop))
        async let serving: Void = server.run()
        // The long call and a burst of echoes arrive together; the echoes all answer while the
        // long handler still waits.
        let long = Task {
            try await client.call(DemoService.sleep, DemoSleepRequest(milliseconds: 60_000, tag: "long"))
        }
        let echoes = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<100 {
                group.addTask { try await client.call(DemoService.echo, DemoEchoRequest(text: "e\(index)")).text }
            }
            var texts: Set<String> = []
            for try await text in group { texts.insert(text) }
            return texts
        }
        #expect(echoes == Set((0..<100).map { "e\($0)" }))
        #expect(await probe.wait { $0.didStart("long") })
        #expect(!probe.wasCancelled("long"))

        long.cancel()
        let error = await #expect(throws: RPCError.self) { try await long.value }
        #expect(error?.code == .cancelled)
        #expect(await probe.wait { $0.wasCancelled("long") })

        // The task that ran the cancelled handler serves nothing more; the calls after it are
        // served, none of them cancelled.
        for round in 0..<3 {
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<50 {
                    group.addTask { try await client.call(DemoService.echo, DemoEchoRequest(text: "r\(round)-\(index)")).text }
                }
                var count = 0
                for try await _ in group { count += 1 }
                return count
            }
            #expect(answers == 50)
        }
        let short = try await client.call(DemoService.sleep, DemoSleepRequest(milliseconds: 1, tag: "short"))
        #expect(short.completed)
        #expect(!probe.wasCancelled("short"))
        #expect(client.openCalls == 0)
        client.close()
        await serving
    }
}
