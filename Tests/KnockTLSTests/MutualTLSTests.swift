import Foundation
import KnockTLS
import NIOCore
import Testing

@Suite("Mutual TLS over loopback")
struct MutualTLSTests {
    @Test("an echo round-trips and both sides see each other's identity and knock/1")
    func echoRoundTripsWithIdentities() async throws {
        let pki = try TestPKI()
        let checked = CheckedPeers()
        var serverConfiguration = pki.serverConfiguration()
        serverConfiguration.peerCertificateCheck = { peer in
            checked.record(peer)
            return true
        }
        let server = try await TestServer.start(serverConfiguration)
        let client = try await connectClient(pki.clientConfiguration(), port: server.port)

        #expect(await client.log.wait { $0.handshake != nil })
        try await client.channel.send("hello, 敲门组")
        #expect(await client.log.wait { $0.receivedText == "hello, 敲门组" })

        // What the client learnt about the server.
        let clientSaw = try #require(client.log.snapshot.handshake)
        #expect(clientSaw.applicationProtocol == "knock/1")
        #expect(clientSaw.peer.subject == "CN=localhost,O=Knock Test")
        #expect(clientSaw.peer.dnsSANs == ["localhost"])
        #expect(clientSaw.peer.ipAddressSANs == ["127.0.0.1"])
        #expect(clientSaw.peer.sha256Fingerprint == pki.server.sha256Hex)
        #expect(clientSaw.peer.serialNumber == pki.server.serialHex)

        // What the server learnt about the member.
        let connection = try #require(await server.log.connection(1))
        #expect(await connection.wait { $0.handshake != nil })
        let serverSaw = try #require(connection.snapshot.handshake)
        #expect(serverSaw.applicationProtocol == "knock/1")
        #expect(serverSaw.peer.uriSANs == [TestPKI.memberURI])
        #expect(serverSaw.peer.dnsSANs.isEmpty)
        #expect(serverSaw.peer.subject == "CN=张三,O=Knock Test")
        #expect(serverSaw.peer.serialNumber == pki.member.serialHex)
        #expect(serverSaw.peer.sha256Fingerprint == pki.member.sha256Hex)
        #expect(serverSaw.peer.certificateDER == pki.member.der)
        let notAfter = try #require(serverSaw.peer.notAfter)
        #expect(abs(notAfter.timeIntervalSinceNow - 86_400) < 120)
        #expect(try #require(serverSaw.peer.notBefore) < Date())
        #expect(connection.snapshot.receivedText == "hello, 敲门组")

        // The hook saw the same identity, and the handler keeps it for later.
        #expect(checked.all == [serverSaw.peer])
        let clientHandler = try await client.channel.tlsState()
        #expect(clientHandler.peer == clientSaw.peer)
        #expect(clientHandler.applicationProtocol == "knock/1")

        // A clean close: close_notify both ways, no error on either side.
        try await client.channel.close()
        #expect(await connection.waitUntilClosed())
        #expect(connection.snapshot.errors.isEmpty)
        #expect(client.log.snapshot.errors.isEmpty)
        await server.stop()
    }

    @Test("writes made before the handshake finishes are sent after it")
    func writesBeforeHandshakeAreHeld() async throws {
        let pki = try TestPKI()
        let server = try await TestServer.start(pki.serverConfiguration())
        // The write happens in channelActive, before any handshake byte has come back.
        let (channel, log) = try await connectClient(
            pki.clientConfiguration(serverName: "127.0.0.1"),
            port: server.port,
            above: { [GreetOnActive(greeting: "early bird")] }
        )
        #expect(await log.wait { $0.receivedText == "early bird" })
        #expect(log.snapshot.errors.isEmpty)
        try await channel.close()
        await server.stop()
    }

    @Test("a half-close asked for before the handshake finishes follows the held writes")
    func halfCloseBeforeHandshake() async throws {
        let pki = try TestPKI()
        let server = try await TestServer.start(
            pki.serverConfiguration(),
            behaviour: Recorder.Behaviour(echoes: true),
            allowsHalfClosure: true
        )
        let (channel, log) = try await connectClient(
            pki.clientConfiguration(),
            port: server.port,
            allowsHalfClosure: true,
            above: { [GreetOnActive(greeting: "and goodbye", closesOutput: true)] }
        )
        let connection = try #require(await server.log.connection(1))
        #expect(await connection.wait { $0.inputClosed })
        #expect(connection.snapshot.receivedText == "and goodbye")
        #expect(await log.wait { $0.receivedText == "and goodbye" })
        #expect(log.snapshot.errors.isEmpty)
        #expect(connection.snapshot.errors.isEmpty)
        try await channel.close()
        await server.stop()
    }
}
