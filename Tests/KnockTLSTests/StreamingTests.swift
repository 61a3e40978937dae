import KnockTLS
import NIOCore
import Testing

@Suite("Records, half-close and backpressure")
struct StreamingTests {
    @Test("a 4 MiB payload echoes intact through many records")
    func largePayload() async throws {
        let pki = try TestPKI()
        let server = try await TestServer.start(pki.serverConfiguration())
        let client = try await connectClient(pki.clientConfiguration(serverName: "127.0.0.1"), port: server.port)

        let size = 4 * 1024 * 1024
        var generator = SystemRandomNumberGenerator()
        let payload = (0..<size / 8).flatMap { _ in withUnsafeBytes(of: generator.next()) { Array($0) } }
        // Big writes, a burst of small ones, one flush.
        for start in stride(from: 0, to: size - 4096, by: 256 * 1024) {
            let end = min(start + 256 * 1024, size - 4096)
            client.channel.write(ByteBuffer(bytes: payload[start..<end]), promise: nil)
        }
        for start in stride(from: size - 4096, to: size, by: 64) {
            client.channel.write(ByteBuffer(bytes: payload[start..<start + 64]), promise: nil)
        }
        client.channel.flush()

        #expect(await client.log.wait(upTo: .seconds(60)) { $0.received.count >= size })
        let received = client.log.snapshot.received
        #expect(received.count == size)
        #expect(received == payload)
        #expect(client.log.snapshot.errors.isEmpty)
        try await client.channel.close()
        await server.stop()
    }

    @Test("small writes before one flush share records")
    func smallWritesShareRecords() async throws {
        let pki = try TestPKI()
        let server = try await TestServer.start(pki.serverConfiguration())
        let counter = ByteCount()
        let client = try await connectClient(
            pki.clientConfiguration(),
            port: server.port,
            below: { [CiphertextCounter(count: counter)] }
        )
        #expect(await client.log.wait { $0.handshake != nil })
        try await Task.sleep(for: .milliseconds(100))  // the client's last handshake flight is out
        let before = counter.value

        let writes = 1000
        var promises: [EventLoopFuture<Void>] = []
        for index in 0..<writes {
            promises.append(client.channel.write(ByteBuffer(string: String(format: "%09d|", index))))
        }
        client.channel.flush()
        for promise in promises {
            try await promise.get()
        }
        #expect(await client.log.wait { $0.received.count == writes * 10 })
        #expect(client.log.snapshot.receivedText.hasPrefix("000000000|000000001|"))

        // 10,000 plaintext bytes: one record per write would cost 22 bytes each (32,000 in all).
        let ciphertext = counter.value - before
        #expect(ciphertext >= writes * 10)
        #expect(ciphertext < writes * 10 + 200, "\(ciphertext) ciphertext bytes for \(writes * 10) plaintext")
        try await client.channel.close()
        await server.stop()
    }

    @Test("half-close: the client closes its output and still reads the echo of what it sent")
    func halfClose() async throws {
        let pki = try TestPKI()
        // The server echoes and keeps its own output open until the test closes it.
        let server = try await TestServer.start(
            pki.serverConfiguration(),
            behaviour: Recorder.Behaviour(echoes: true),
            allowsHalfClosure: true
        )
        let client = try await connectClient(pki.clientConfiguration(), port: server.port, allowsHalfClosure: true)

        try await client.channel.send("said before hanging up")
        try await client.channel.close(mode: .output)
        await #expect(throws: ChannelError.outputClosed) {
            try await client.channel.send("too late")
        }

        #expect(await client.log.wait { $0.receivedText == "said before hanging up" })
        let connection = try #require(await server.log.connection(1))
        #expect(await connection.wait { $0.inputClosed })
        #expect(connection.snapshot.receivedText == "said before hanging up")
        #expect(connection.snapshot.errors.isEmpty)
        #expect(!client.log.snapshot.closed)

        // Now the server hangs up too: its close_notify reaches the client as end of input.
        try await #require(connection.snapshot.channel).close()
        #expect(await client.log.wait { $0.inputClosed })
        #expect(await client.log.waitUntilClosed())
        #expect(client.log.snapshot.errors.isEmpty)
        #expect(connection.snapshot.errors.isEmpty)
        await server.stop()
    }

    @Test("without half-closure, a close_notify closes the connection")
    func closeNotifyCloses() async throws {
        let pki = try TestPKI()
        let server = try await TestServer.start(pki.serverConfiguration())
        let client = try await connectClient(pki.clientConfiguration(), port: server.port)
        try await client.channel.send("bye")
        #expect(await client.log.wait { $0.receivedText == "bye" })
        try await client.channel.close(mode: .output)
        let connection = try #require(await server.log.connection(1))
        #expect(await connection.waitUntilClosed())
        #expect(connection.snapshot.errors.isEmpty)
        #expect(!connection.snapshot.inputClosed)
        await server.stop()
    }

    @Test("plaintext is read from the socket only when the handler behind TLS asks")
    func readsOnlyWhenAsked() async throws {
        let pki = try TestPKI()
        let server = try await TestServer.start(pki.serverConfiguration(), autoRead: false)
        let client = try await connectClient(pki.clientConfiguration(), port: server.port)
        let connection = try #require(await server.log.connection(1))
        // The TLS handler reads for the handshake by itself.
        #expect(await connection.wait { $0.handshake != nil })

        try await client.channel.send("wait for it")
        try await Task.sleep(for: .milliseconds(300))
        #expect(connection.snapshot.received.isEmpty, "read without being asked")

        let serverChannel = try #require(connection.snapshot.channel)
        serverChannel.read()
        #expect(await connection.wait { $0.receivedText == "wait for it" })
        #expect(await client.log.wait { $0.receivedText == "wait for it" })
        try await client.channel.close()
        await server.stop()
    }
}
