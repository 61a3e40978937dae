import KnockTLS
import NIOCore
import Testing

@Suite("Garbage, timeouts and a server that keeps going")
struct RobustnessTests {
    @Test("garbage instead of a ClientHello: TLSError, that connection closes, the next good one works")
    func garbageBeforeHandshake() async throws {
        let pki = try TestPKI()
        let server = try await TestServer.start(pki.serverConfiguration())

        let raw = try await connectRawClient(port: server.port)
        try await raw.channel.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(await raw.log.waitUntilClosed())
        let refused = try #require(await server.log.connection(1))
        #expect(await refused.waitUntilClosed())
        let error = try #require(refused.snapshot.tlsErrors.first)
        #expect(error.code == .handshakeFailed)
        #expect(!error.openSSLErrors.isEmpty)
        #expect(refused.snapshot.received.isEmpty)

        try await expectStillServing(server, pki)
        await server.stop()
    }

    @Test("random bytes of many sizes never crash the server; each connection ends with a TLSError")
    func randomGarbage() async throws {
        let pki = try TestPKI()
        let server = try await TestServer.start(pki.serverConfiguration())
        var generator = SystemRandomNumberGenerator()
        let sizes = [1, 2, 5, 6, 17, 100, 517, 1500, 16_389, 70_000]
        for (index, size) in sizes.enumerated() {
            var garbage = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if index % 2 == 0, size >= 5 {
                // Half of them look like a handshake record header, to get past the first check.
                garbage.replaceSubrange(0..<3, with: [0x16, 0x03, 0x01])
            }
            let raw = try await connectRawClient(port: server.port)
            try await raw.channel.send(garbage)
            // Whatever OpenSSL made of it, the end of input must settle the matter.
            try? await raw.channel.close(mode: .output)
            #expect(await raw.log.waitUntilClosed(), "size \(size)")
            let connection = try #require(await server.log.connection(index + 1))
            #expect(await connection.waitUntilClosed(), "size \(size)")
            #expect(!connection.snapshot.tlsErrors.isEmpty, "size \(size): \(connection.snapshot.errors)")
            #expect(connection.snapshot.received.isEmpty)
        }
        try await expectStillServing(server, pki)
        await server.stop()
    }

    @Test("garbage records after the handshake: ioError, the connection closes, the server keeps serving")
    func garbageAfterHandshake() async throws {
        let pki = try TestPKI()
        let server = try await TestServer.start(pki.serverConfiguration())
        let (channel, log) = try await connectClient(pki.clientConfiguration(), port: server.port, below: { [RawTap()] })
        try await channel.send("before")
        #expect(await log.wait { $0.receivedText == "before" })

        // An application-data record whose ciphertext is nonsense, written under the TLS handler.
        let forged: [UInt8] = [0x17, 0x03, 0x03, 0x00, 0x40] + (0..<64).map { _ in UInt8.random(in: 0...255) }
        try await channel.eventLoop.submit {
            let tap = try channel.pipeline.syncOperations.context(handlerType: RawTap.self)
            tap.writeAndFlush(NIOAny(ByteBuffer(bytes: forged)), promise: nil)
        }.get()

        let connection = try #require(await server.log.connection(1))
        #expect(await connection.waitUntilClosed())
        #expect(connection.snapshot.tlsErrors.first?.code == .ioError, "\(connection.snapshot.errors)")
        #expect(connection.snapshot.receivedText == "before")
        #expect(await log.waitUntilClosed())
        #expect(log.snapshot.receivedText == "before")

        try await expectStillServing(server, pki)
        await server.stop()
    }

    @Test("a peer that never finishes the handshake is closed after the handshake timeout")
    func handshakeTimeout() async throws {
        let pki = try TestPKI()
        var configuration = pki.serverConfiguration()
        configuration.handshakeTimeout = .milliseconds(300)
        let server = try await TestServer.start(configuration)

        let started = ContinuousClock.now
        let raw = try await connectRawClient(port: server.port)
        // Closed by the timeout, not by anything else: not before it, and with its error. The upper
        // bound only tells "closed" from "never closed" on a loaded machine.
        #expect(await raw.log.waitUntilClosed(upTo: .seconds(30)))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(250))
        #expect(elapsed < .seconds(30))
        let connection = try #require(await server.log.connection(1))
        #expect(await connection.waitUntilClosed())
        #expect(connection.snapshot.tlsErrors.first?.code == .handshakeTimeout)
        await server.stop()
    }
}
