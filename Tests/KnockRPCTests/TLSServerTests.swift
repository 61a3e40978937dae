import Foundation
import KnockPKI
import KnockRPC
import KnockTLS
import KnockTestSupport
import KnockWire
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// RPCServer over real mutual TLS on loopback.
@Suite("RPC over mutual TLS on loopback")
struct TLSServerTests {
    struct Running {
        let server: RPCServer
        let task: Task<Void, any Error>
        var port: Int { server.localAddress.port! }

        func stop() async throws {
            server.drain()
            try await task.value
        }
    }

    /// Records the peer identity each call saw.
    final class PeerLog: Sendable {
        let peers = Mutex<[String]>([])
    }

    func start(_ deployment: TestDeployment, log: PeerLog = PeerLog(), limits: RPCServer.Limits = RPCServer.Limits(), handshakeTimeout: TimeAmount? = nil, refuse: (@Sendable (PeerIdentity) -> Bool)? = nil) async throws -> Running {
        var router = RPCRouter()
        router.add(DemoService())
        let whoAmI = RPCMethod<DemoEchoRequest, DemoEchoResponse>("knock.demo.WhoAmI")
        router.register(whoAmI) { _, context in
            var response = DemoEchoResponse()
            response.text = context.peer?.uriSANs.first ?? "nobody"
            log.peers.withLock { $0.append(response.text) }
            return response
        }
        let server = try await RPCServer.bind(host: "127.0.0.1", port: 0, tls: try deployment.serverContext(refuse: refuse, handshakeTimeout: handshakeTimeout), limits: limits, router: router)
        let task = Task { try await server.run() }
        return Running(server: server, task: task)
    }

    @Test("a unary call over mutual TLS; the handler sees the caller's certificate identity")
    func unaryOverTLS() async throws {
        let deployment = try TestDeployment()
        let running = try await start(deployment)
        let member = try deployment.client(KnockIdentity(kind: .member, id: "m-0012"), name: "李四")
        let connection = try await RPCConnection.connect(to: "127.0.0.1", port: running.port, tls: try deployment.clientContext(member), serverName: "localhost")
        #expect(try await connection.call(DemoService.echo, DemoEchoRequest(text: "敲门")).text == "敲门")
        let who = RPCMethod<DemoEchoRequest, DemoEchoResponse>("knock.demo.WhoAmI")
        #expect(try await connection.call(who, DemoEchoRequest()).text == "knock://member/m-0012")
        #expect(connection.peer?.uriSANs == ["knock://host/test-host"])
        connection.close()
        try await running.stop()
    }

    @Test("1,000 connections that never start a handshake do not stop a real client from being served")
    func idleHandshakes() async throws {
        let deployment = try TestDeployment()
        // Opening 1,000 connections can take longer than the default 10 s handshake timeout on a
        // loaded machine; the first ones must still be held when the count is taken.
        let running = try await start(deployment, handshakeTimeout: .seconds(120))
        // Plain TCP connections that send nothing: each holds a TLS handler waiting for its hello.
        var idle: [any Channel] = []
        for _ in 0..<1_000 {
            idle.append(try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: running.port).get())
        }
        var accepted = 0
        for _ in 0..<1_500 where accepted < 1_000 {
            accepted = running.server.connectionCount
            if accepted < 1_000 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(accepted >= 1_000, "the server holds \(accepted) of the idle connections")

        let started = ContinuousClock.now
        let member = try deployment.client(KnockIdentity(kind: .member, id: "m-1"))
        let connection = try await RPCConnection.connect(to: "127.0.0.1", port: running.port, tls: try deployment.clientContext(member), serverName: "localhost")
        #expect(try await connection.call(DemoService.echo, DemoEchoRequest(text: "还在")).text == "还在")
        // Served at once, not after the idle ones time out (120 s here).
        #expect(ContinuousClock.now - started < .seconds(30))
        connection.close()
        for channel in idle { try? await channel.close() }
        try await running.stop()
    }

    @Test("one certificate gets at most its share of connections; others are still served")
    func connectionsPerPeer() async throws {
        let deployment = try TestDeployment()
        let running = try await start(deployment, limits: RPCServer.Limits(maxConnectionsPerPeer: 3))
        let phone = try deployment.clientContext(try deployment.client(KnockIdentity(kind: .member, id: "m-lost-phone")))
        var open: [RPCConnection] = []
        for _ in 0..<3 {
            let connection = try await RPCConnection.connect(to: "127.0.0.1", port: running.port, tls: phone, serverName: "localhost")
            #expect(try await connection.call(DemoService.echo, DemoEchoRequest(text: "ok")).text == "ok")
            open.append(connection)
        }
        // The fourth is told to calm down once its certificate is known: no call gets through.
        func refused() async -> Bool {
            guard let fourth = try? await RPCConnection.connect(to: "127.0.0.1", port: running.port, tls: phone, serverName: "localhost") else {
                return true
            }
            defer { fourth.close() }
            do {
                _ = try await fourth.call(DemoService.echo, DemoEchoRequest(text: "again"), options: CallOptions(timeout: .seconds(5)))
                return false
            } catch {
                return true
            }
        }
        #expect(await refused())
        // Another member is served meanwhile.
        let other = try deployment.clientContext(try deployment.client(KnockIdentity(kind: .member, id: "m-2")))
        let second = try await RPCConnection.connect(to: "127.0.0.1", port: running.port, tls: other, serverName: "localhost")
        #expect(try await second.call(DemoService.echo, DemoEchoRequest(text: "我")).text == "我")
        second.close()
        // One of the three closes: the certificate may connect again.
        open.removeFirst().close()
        var admitted = false
        for _ in 0..<100 where !admitted {
            try await Task.sleep(for: .milliseconds(20))
            if let again = try? await RPCConnection.connect(to: "127.0.0.1", port: running.port, tls: phone, serverName: "localhost") {
                admitted = (try? await again.call(DemoService.echo, DemoEchoRequest(text: "ok"), options: CallOptions(timeout: .seconds(5)))) != nil
                open.append(again)
            }
        }
        #expect(admitted)
        for connection in open { connection.close() }
        try await running.stop()
    }

    @Test("refused at connect: another CA's certificate, an expired one, a revoked one")
    func refused() async throws {
        let deployment = try TestDeployment()
        let revoked = try deployment.client(KnockIdentity(kind: .member, id: "m-lost-phone"))
        let fingerprint = revoked.sha256Fingerprint
        let running = try await start(deployment) { $0.sha256Fingerprint == fingerprint }
        let stranger = try TestDeployment(name: "Some Other CA")
        let outsider = try stranger.client(KnockIdentity(kind: .member, id: "m-1"))
        let expired = try deployment.client(KnockIdentity(kind: .member, id: "m-old"), validity: 86_400, validFrom: Date().addingTimeInterval(-3 * 86_400))
        for (name, context) in [
            ("other CA", try TLSContext(configuration: .client(
                certificateChain: .string(outsider.certificatePEM), privateKey: .string(outsider.privateKeyPEM),
                trustRoots: .string(deployment.authority.issued.certificatePEM), serverName: "localhost"))),
            ("expired", try deployment.clientContext(expired)),
            ("revoked", try deployment.clientContext(revoked)),
        ] {
            let error = try await #require(throws: RPCError.self, "\(name) was not refused") {
                _ = try await RPCConnection.connect(to: "127.0.0.1", port: running.port, tls: context, serverName: "localhost",
                                                     configuration: ConnectionConfiguration(helloTimeout: .seconds(3)))
            }
            #expect(error.code == .unavailable, "\(name)")
            #expect(error.message.contains("refused"), "\(name): \(error.message)")
        }
        // The server is still serving good clients.
        let good = try await RPCConnection.connect(to: "127.0.0.1", port: running.port, tls: try deployment.clientContext(try deployment.client(KnockIdentity(kind: .member, id: "m-2"))))
        #expect(try await good.call(DemoService.echo, DemoEchoRequest(text: "ok")).text == "ok")
        good.close()
        try await running.stop()
    }

    @Test("garbage, a truncated frame, an oversize frame, a bad call id: that connection gets GOAWAY and closes; others are untouched")
    func badInputIsolated() async throws {
        let deployment = try TestDeployment()
        let running = try await start(deployment)
        let member = try deployment.client(KnockIdentity(kind: .member, id: "m-3"))
        let good = try await RPCConnection.connect(to: "127.0.0.1", port: running.port, tls: try deployment.clientContext(member))
        var oversize = ByteBuffer()
        oversize.writeInteger(UInt32(64 * 1024 * 1024))
        var badID = ByteBuffer()
        var header = WireRequestHeader()
        header.method = "knock.demo.Echo"
        badID.writeFrame(.request(callID: 2, header: header, message: ByteBuffer()))
        let cases: [(String, [UInt8], ConnectionErrorCode?)] = [
            ("garbage", Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), .frameSizeError),
            ("oversize", Array(oversize.readableBytesView), .frameSizeError),
            ("bad call id", Array(badID.readableBytesView), .protocolError),
            ("truncated", [0x00, 0x00, 0x00, 0x40, 0x02, 0x00, 0x00, 0x00], nil),
        ]
        for (name, bytes, code) in cases {
            let raw = try await RawPeer.connect(port: running.port, tls: try deployment.clientContext(member))
            try await raw.send(.hello(.knockDefault()))
            #expect(await raw.waitForFrame { $0.type == .hello } != nil, "\(name): no HELLO")
            try await raw.send(bytes: bytes)
            if let code {
                let goAway = try #require(await raw.waitForFrame { $0.type == .goAway }, "\(name): no GOAWAY")
                #expect(try goAway.decodeGoAway().errorCode == code.rawValue, "\(name)")
                #expect(await raw.waitForClose(), "\(name): not closed")
            } else {
                // A truncated frame is only an error once the connection ends; the sender closes.
                try await raw.channel.close()
            }
            // Meanwhile, the good connection carries on.
            #expect(try await good.call(DemoService.echo, DemoEchoRequest(text: name)).text == name)
        }
        good.close()
        try await running.stop()
    }

    @Test("a server at its connection limit closes new connections; existing ones keep working")
    func connectionLimit() async throws {
        let deployment = try TestDeployment()
        let running = try await start(deployment, limits: RPCServer.Limits(maxConnections: 2))
        let context = try deployment.clientContext(try deployment.client(KnockIdentity(kind: .member, id: "m-4")))
        let first = try await RPCConnection.connect(to: "127.0.0.1", port: running.port, tls: context)
        let second = try await RPCConnection.connect(to: "127.0.0.1", port: running.port, tls: context)
        let third = try await #require(throws: RPCError.self) {
            _ = try await RPCConnection.connect(to: "127.0.0.1", port: running.port, tls: context,
                                                 configuration: ConnectionConfiguration(helloTimeout: .seconds(2)))
        }
        #expect(third.code == .unavailable)
        #expect(try await first.call(DemoService.echo, DemoEchoRequest(text: "1")).text == "1")
        #expect(try await second.call(DemoService.echo, DemoEchoRequest(text: "2")).text == "2")
        first.close()
        second.close()
        try await running.stop()
    }
}
