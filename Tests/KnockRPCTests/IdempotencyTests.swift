import Foundation
import KnockRPC
import KnockTLS
import KnockTestSupport
import KnockWire
import Synchronization
import Testing

@Suite("Idempotency keys (PROTOCOL.md §4.5)")
struct IdempotencyTests {
    final class Ledger: Sendable {
        let runs = Mutex(0)
        /// Told when a "slow" write has started.
        let slowStarted = AsyncStream<Void>.makeStream()
        /// What a "slow" write waits for before it finishes.
        let slowGate = AsyncStream<Void>.makeStream()
    }

    static let record = RPCMethod<DemoEchoRequest, DemoEchoResponse>("knock.demo.Record")

    /// A write that counts how often it really ran; text "slow" says it started and waits for the
    /// ledger's gate, "missing" fails NOT_FOUND, "flaky" fails UNAVAILABLE.
    func router(_ ledger: Ledger, cache: IdempotencyCache) -> RPCRouter {
        var router = RPCRouter(idempotency: cache)
        router.register(Self.record) { request, _ in
            let run = ledger.runs.withLock { $0 += 1; return $0 }
            switch request.text {
            case "slow":
                ledger.slowStarted.continuation.yield()
                for await _ in ledger.slowGate.stream { break }
            case "missing": throw RPCError(code: .notFound, message: "no such resident")
            case "flaky": throw RPCError(code: .unavailable, message: "try again")
            default: break
            }
            var response = DemoEchoResponse()
            response.text = "\(request.text)#\(run)"
            return response
        }
        return router
    }

    static func identity(_ id: String) -> PeerIdentity {
        PeerIdentity(subject: "CN=\(id)", uriSANs: ["knock://integrator/\(id)"], dnsSANs: [], ipAddressSANs: [],
                     serialNumber: "01", sha256Fingerprint: String(repeating: id.hasSuffix("a") ? "a" : "b", count: 64),
                     notBefore: nil, notAfter: nil, certificateDER: [])
    }

    func connect(_ router: RPCRouter, as caller: String) async throws -> (RPCConnection, RPCConnection) {
        try await RPCConnection.inProcessPair(server: InProcessEnd(router: router, peerSeen: Self.identity(caller)))
    }

    @Test("a retried write runs once, even over a new connection; another caller's key is separate")
    func replay() async throws {
        let ledger = Ledger()
        let router = router(ledger, cache: IdempotencyCache())
        let options = CallOptions(idempotencyKey: "visit-7f3a")
        let (first, firstServer) = try await connect(router, as: "hospital-a")
        async let s1: Void = firstServer.run()
        #expect(try await first.call(Self.record, DemoEchoRequest(text: "出院")).text == "出院#1")
        #expect(try await first.call(Self.record, DemoEchoRequest(text: "出院"), options: options).text == "出院#2")
        #expect(try await first.call(Self.record, DemoEchoRequest(text: "出院"), options: options).text == "出院#2")
        first.close()
        await s1
        let (second, secondServer) = try await connect(router, as: "hospital-a")
        async let s2: Void = secondServer.run()
        #expect(try await second.call(Self.record, DemoEchoRequest(text: "出院"), options: options).text == "出院#2")
        second.close()
        await s2
        let (other, otherServer) = try await connect(router, as: "hotline-b")
        async let s3: Void = otherServer.run()
        #expect(try await other.call(Self.record, DemoEchoRequest(text: "出院"), options: options).text == "出院#3")
        other.close()
        await s3
        #expect(ledger.runs.withLock { $0 } == 3)
    }

    @Test("the same key with a different request is refused; a key still running gets ABORTED")
    func misuse() async throws {
        let ledger = Ledger()
        let (client, server) = try await connect(router(ledger, cache: IdempotencyCache()), as: "hospital-a")
        async let serving: Void = server.run()
        let options = CallOptions(idempotencyKey: "k-1")
        _ = try await client.call(Self.record, DemoEchoRequest(text: "a"), options: options)
        let reused = try await #require(throws: RPCError.self) { try await client.call(Self.record, DemoEchoRequest(text: "b"), options: options) }
        #expect(reused.code == .failedPrecondition)
        #expect(reused.detail(WireErrorInfo.self)?.reason == "IDEMPOTENCY_KEY_REUSED")

        let slow = CallOptions(idempotencyKey: "k-slow")
        async let first = client.call(Self.record, DemoEchoRequest(text: "slow"), options: slow)
        for await _ in ledger.slowStarted.stream { break }
        let busy = try await #require(throws: RPCError.self) { try await client.call(Self.record, DemoEchoRequest(text: "slow"), options: slow) }
        #expect(busy.code == .aborted)
        ledger.slowGate.continuation.yield()
        #expect(try await first.text == "slow#2")
        client.close()
        await serving
    }

    @Test("definitive failures are replayed, transient ones are retried")
    func failures() async throws {
        let ledger = Ledger()
        let (client, server) = try await connect(router(ledger, cache: IdempotencyCache()), as: "hospital-a")
        async let serving: Void = server.run()
        for _ in 0..<2 {
            let error = try await #require(throws: RPCError.self) {
                try await client.call(Self.record, DemoEchoRequest(text: "missing"), options: CallOptions(idempotencyKey: "m"))
            }
            #expect(error.code == .notFound)
        }
        #expect(ledger.runs.withLock { $0 } == 1)
        for _ in 0..<2 {
            _ = try? await client.call(Self.record, DemoEchoRequest(text: "flaky"), options: CallOptions(idempotencyKey: "f"))
        }
        #expect(ledger.runs.withLock { $0 } == 3)
        client.close()
        await serving
    }

    @Test("the cache is bounded")
    func bounded() async throws {
        let cache = IdempotencyCache(capacity: 10)
        let (client, server) = try await connect(router(Ledger(), cache: cache), as: "hospital-a")
        async let serving: Void = server.run()
        for index in 0..<50 {
            _ = try await client.call(Self.record, DemoEchoRequest(text: "x"), options: CallOptions(idempotencyKey: "key-\(index)"))
        }
        #expect(cache.count == 10)
        client.close()
        await serving
    }
}
