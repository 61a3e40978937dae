import Foundation
import KnockTLS
import NIOCore
import NIOPosix
import Testing

@Suite("Real peers: the openssl command")
struct OpenSSLPeerTests {
    static let token = "knock-ping-42"

    /// The test PKI as files, the way a deployment keeps them on disk.
    static func files(_ pki: TestPKI) throws -> OpenSSLCommand.Files {
        try OpenSSLCommand.Files([
            "ca.pem": pki.authority.issued.certificatePEM,
            "server.pem": pki.server.certificatePEM,
            "server.key": pki.server.privateKeyPEM,
            "member.pem": pki.member.certificatePEM,
            "member.key": pki.member.privateKeyPEM,
        ])
    }

    /// A server loading its PEM from files, which echoes the first line and then closes.
    static func startServer(_ files: OpenSSLCommand.Files) async throws -> TestServer {
        let configuration = TLSConfiguration.server(
            certificateChain: .file(files.path("server.pem")),
            privateKey: .file(files.path("server.key")),
            trustRoots: .file(files.path("ca.pem"))
        )
        return try await TestServer.start(
            configuration,
            behaviour: Recorder.Behaviour(echoes: true, closesAfterEcho: true)
        )
    }

    static func sClient(port: Int, files: OpenSSLCommand.Files, certificate: Bool, alpn: Bool) -> [String] {
        var arguments = [
            "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost",
            "-verify_hostname", "localhost", "-CAfile", files.path("ca.pem"), "-verify_return_error",
            "-ign_eof",
        ]
        if certificate {
            arguments += ["-cert", files.path("member.pem"), "-key", files.path("member.key")]
        }
        if alpn {
            arguments += ["-alpn", "knock/1"]
        }
        return arguments
    }

    @Test("openssl s_client with a member certificate completes a handshake with ALPN knock/1")
    func sClientWithCertificate() async throws {
        let pki = try TestPKI()
        let files = try Self.files(pki)
        defer { files.remove() }
        let server = try await Self.startServer(files)
        let client = try OpenSSLCommand.Running(
            Self.sClient(port: server.port, files: files, certificate: true, alpn: true),
            in: files
        )
        try client.send(Self.token + "\n", closing: true)
        let (status, output) = await client.finish()

        #expect(output.contains("ALPN protocol: knock/1"), "\(output)")
        #expect(output.contains("Verification: OK"), "\(output)")
        #expect(output.contains("TLSv1.3"), "\(output)")
        #expect(output.contains(Self.token), "the echo did not come back: \(output)")
        #expect(status == 0, "\(output)")
        let connection = try #require(await server.log.connection(1))
        #expect(connection.snapshot.handshake?.peer.uriSANs == [TestPKI.memberURI])
        #expect(connection.snapshot.tlsErrors.isEmpty)
        await server.stop()
    }

    @Test("openssl s_client without a certificate is refused")
    func sClientWithoutCertificate() async throws {
        let pki = try TestPKI()
        let files = try Self.files(pki)
        defer { files.remove() }
        let server = try await Self.startServer(files)
        let client = try OpenSSLCommand.Running(
            Self.sClient(port: server.port, files: files, certificate: false, alpn: true),
            in: files
        )
        try client.send(Self.token + "\n", closing: true)
        let (status, output) = await client.finish()

        #expect(output.contains("certificate required"), "\(output)")
        #expect(!output.contains(Self.token), "data was echoed to a refused client: \(output)")
        #expect(status != 0, "\(output)")
        let connection = try #require(await server.log.connection(1))
        #expect(await connection.waitUntilClosed())
        #expect(connection.snapshot.tlsErrors.first?.code == .certificateRefused)
        #expect(connection.snapshot.handshake == nil)
        await server.stop()
    }

    @Test("openssl s_client offering no ALPN is refused with no_application_protocol")
    func sClientWithoutALPN() async throws {
        let pki = try TestPKI()
        let files = try Self.files(pki)
        defer { files.remove() }
        let server = try await Self.startServer(files)
        let client = try OpenSSLCommand.Running(
            Self.sClient(port: server.port, files: files, certificate: true, alpn: false),
            in: files
        )
        try client.send(Self.token + "\n", closing: true)
        let (status, output) = await client.finish()

        #expect(output.contains("no application protocol"), "\(output)")
        #expect(!output.contains(Self.token), "\(output)")
        #expect(status != 0, "\(output)")
        let connection = try #require(await server.log.connection(1))
        #expect(await connection.waitUntilClosed())
        #expect(connection.snapshot.tlsErrors.first?.code == .noApplicationProtocol)
        await server.stop()
    }

    @Test("a Knock client refuses openssl s_server when it does not select knock/1")
    func sServerWithoutALPN() async throws {
        let pki = try TestPKI()
        let files = try Self.files(pki)
        defer { files.remove() }
        let port = try await freePort()
        let server = try OpenSSLCommand.Running(
            [
                "s_server", "-accept", "127.0.0.1:\(port)", "-cert", files.path("server.pem"),
                "-key", files.path("server.key"), "-CAfile", files.path("ca.pem"), "-Verify", "1",
                "-tls1_3", "-naccept", "1",
            ],
            in: files
        )
        defer { server.process.terminate() }

        var client: (channel: any Channel, log: ConnectionLog)?
        for _ in 0..<100 where client == nil {
            client = try? await connectClient(pki.clientConfiguration(), port: port)
            if client == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let connection = try #require(client, "openssl s_server did not start")
        #expect(await connection.log.waitUntilClosed())
        #expect(connection.log.snapshot.tlsErrors.first?.code == .noApplicationProtocol)
        #expect(connection.log.snapshot.handshake == nil)
        try server.send("", closing: true)
        _ = await server.finish(timeout: .seconds(5))
    }
}

/// A TCP port nobody listens on right now.
func freePort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0)
        .get()
    let port = channel.localAddress!.port!
    try await channel.close()
    return port
}
