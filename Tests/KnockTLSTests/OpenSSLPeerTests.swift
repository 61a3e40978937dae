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

    /// What one `openssl s_client` run against a Knock server looked like from both ends.
    struct SClientRun {
        var status: Int32?
        var output: String
        var server: ConnectionLog.Snapshot
    }

    /// Runs `openssl s_client` against a Knock server, sends the token and waits for it to exit.
    static func runSClient(certificate: Bool, alpn: Bool) async throws -> SClientRun {
        let pki = try TestPKI()
        let files = try Self.files(pki)
        defer { files.remove() }
        let server = try await Self.startServer(files)
        var arguments = [
            "s_client", "-connect", "127.0.0.1:\(server.port)", "-servername", "localhost",
            "-verify_hostname", "localhost", "-CAfile", files.path("ca.pem"), "-verify_return_error",
            "-ign_eof",
        ]
        if certificate {
            arguments += ["-cert", files.path("member.pem"), "-key", files.path("member.key")]
        }
        if alpn {
            arguments += ["-alpn", "knock/1"]
        }
        let client = try OpenSSLCommand.Running(arguments, in: files)
        try client.send(Self.token + "\n", closing: true)
        let (status, output) = await client.finish()
        let connection = try #require(await server.log.connection(1))
        #expect(await connection.waitUntilClosed())
        await server.stop()
        return SClientRun(status: status, output: output, server: connection.snapshot)
    }

    @Test("openssl s_client with a member certificate completes a handshake with ALPN knock/1")
    func sClientWithCertificate() async throws {
        let run = try await Self.runSClient(certificate: true, alpn: true)
        #expect(run.output.contains("ALPN protocol: knock/1"), "\(run.output)")
        #expect(run.output.contains("Verification: OK"), "\(run.output)")
        #expect(run.output.contains("TLSv1.3"), "\(run.output)")
        #expect(run.output.contains(Self.token), "the echo did not come back: \(run.output)")
        #expect(run.status == 0, "\(run.output)")
        #expect(run.server.handshake?.peer.uriSANs == [TestPKI.memberURI])
        #expect(run.server.tlsErrors.isEmpty)
    }

    @Test("openssl s_client without a certificate is refused")
    func sClientWithoutCertificate() async throws {
        let run = try await Self.runSClient(certificate: false, alpn: true)
        #expect(run.output.contains("certificate required"), "\(run.output)")
        #expect(!run.output.contains(Self.token), "data was echoed to a refused client: \(run.output)")
        #expect(run.status != 0, "\(run.output)")
        #expect(run.server.tlsErrors.first?.code == .certificateRefused)
        #expect(run.server.handshake == nil)
    }

    @Test("openssl s_client offering no ALPN is refused with no_application_protocol")
    func sClientWithoutALPN() async throws {
        let run = try await Self.runSClient(certificate: true, alpn: false)
        #expect(run.output.contains("no application protocol"), "\(run.output)")
        #expect(!run.output.contains(Self.token), "\(run.output)")
        #expect(run.status != 0, "\(run.output)")
        #expect(run.server.tlsErrors.first?.code == .noApplicationProtocol)
        #expect(run.server.handshake == nil)
    }

    @Test("a Knock client refuses openssl s_server when it does not select knock/1")
    func sServerWithoutALPN() async throws {
        let pki = try TestPKI()
        let files = try Self.files(pki)
        defer { files.remove() }
        // s_server says ACCEPT once it listens (it takes its time on a loaded machine). It
        // serves one connection only, so the client connects once, after that; a port taken
        // meanwhile by someone else makes s_server exit, and it starts again on another.
        var started: (server: OpenSSLCommand.Running, port: Int)?
        for _ in 0..<5 where started == nil {
            let port = try await freePort()
            let server = try OpenSSLCommand.Running(
                [
                    "s_server", "-accept", "127.0.0.1:\(port)", "-cert", files.path("server.pem"),
                    "-key", files.path("server.key"), "-CAfile", files.path("ca.pem"), "-Verify", "1",
                    "-tls1_3", "-naccept", "1",
                ],
                in: files
            )
            if await server.waitForOutput("ACCEPT", timeout: .seconds(60)) {
                started = (server, port)
            } else {
                server.process.terminate()
            }
        }
        let (server, port) = try #require(started, "openssl s_server did not start")
        defer { server.process.terminate() }

        let connection = try await connectClient(pki.clientConfiguration(), port: port)
        #expect(await connection.log.waitUntilClosed())
        // Usually noApplicationProtocol; on a loaded machine s_server's close can be read in the
        // same pass as its last handshake message, and the connection ends as unexpectedEOF.
        // Either way the client refuses the peer: no handshake is reported, nothing is sent.
        let code = connection.log.snapshot.tlsErrors.first?.code
        #expect(code == .noApplicationProtocol || code == .unexpectedEOF)
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
