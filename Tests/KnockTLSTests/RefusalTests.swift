@_spi(Testing) import KnockTLS
import NIOCore
import Testing

/// What both ends saw of a connection that was meant to be refused.
struct Refusal {
    var server: ConnectionLog.Snapshot
    var client: ConnectionLog.Snapshot

    /// Connects `client` to a server running `server`, tries to send a line, and waits for both
    /// ends to close.
    static func attempt(server: TLSConfiguration, client: TLSConfiguration) async throws -> Refusal {
        let testServer = try await TestServer.start(server)
        let connection = try await connectClient(client, port: testServer.port)
        // A TLS 1.3 client may finish its handshake before the server judges it: the refusal
        // then arrives on the first read. The send itself may fail, which is fine.
        if await connection.log.wait(upTo: .seconds(2), until: { $0.handshake != nil || $0.closed }),
            connection.log.snapshot.handshake != nil
        {
            try? await connection.channel.send("must never be echoed")
        }
        let clientClosed = await connection.log.waitUntilClosed()
        let serverLog = try #require(await testServer.log.connection(1))
        let serverClosed = await serverLog.waitUntilClosed()
        #expect(clientClosed, "the client's connection stays open")
        #expect(serverClosed, "the server's connection stays open")
        await testServer.stop()
        return Refusal(server: serverLog.snapshot, client: connection.log.snapshot)
    }

    /// Nothing got through in either direction and the server never completed a handshake.
    func expectNothingExchanged(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.server.handshake == nil, sourceLocation: sourceLocation)
        #expect(self.server.received.isEmpty, sourceLocation: sourceLocation)
        #expect(self.client.received.isEmpty, sourceLocation: sourceLocation)
    }

    /// The server's first error is a `TLSError` with `code` whose message contains `text`.
    func expectServerError(
        _ code: TLSError.Code,
        mentioning text: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        Self.expectFirstError(of: self.server, "server", code, text, sourceLocation)
    }

    /// The client's first error is a `TLSError` with `code` whose message contains `text`.
    func expectClientError(
        _ code: TLSError.Code,
        mentioning text: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        Self.expectFirstError(of: self.client, "client", code, text, sourceLocation)
    }

    private static func expectFirstError(
        of side: ConnectionLog.Snapshot,
        _ name: String,
        _ code: TLSError.Code,
        _ text: String,
        _ sourceLocation: SourceLocation
    ) {
        let error = side.tlsErrors.first
        #expect(error?.code == code, "\(name) errors: \(side.errors)", sourceLocation: sourceLocation)
        #expect(error?.message.contains(text) == true, "\(name) error: \(String(describing: error))", sourceLocation: sourceLocation)
    }
}

@Suite("Refused connections")
struct RefusalTests {
    @Test("a client without a certificate is refused")
    func clientWithoutCertificate() async throws {
        let pki = try TestPKI()
        var client = pki.clientConfiguration()
        client.presentsNoCertificate = true
        let refusal = try await Refusal.attempt(server: pki.serverConfiguration(), client: client)
        refusal.expectNothingExchanged()
        refusal.expectServerError(.certificateRefused, mentioning: "no certificate")
        refusal.expectClientError(.alertReceived, mentioning: "certificate required")
    }

    @Test("a client certificate from another CA is refused")
    func clientFromAnotherAuthority() async throws {
        let pki = try TestPKI()
        let refusal = try await Refusal.attempt(
            server: pki.serverConfiguration(),
            client: pki.clientConfiguration(pki.strangerMember)
        )
        refusal.expectNothingExchanged()
        refusal.expectServerError(.certificateRefused, mentioning: "local issuer")
        refusal.expectClientError(.alertReceived, mentioning: "unknown ca")
    }

    @Test("an expired client certificate is refused")
    func expiredClient() async throws {
        let pki = try TestPKI()
        let refusal = try await Refusal.attempt(
            server: pki.serverConfiguration(),
            client: pki.clientConfiguration(pki.expiredMember)
        )
        refusal.expectNothingExchanged()
        refusal.expectServerError(.certificateRefused, mentioning: "expired")
        refusal.expectClientError(.alertReceived, mentioning: "expired")
    }

    @Test("a client certificate the peer check refuses (revoked) is refused with certificate_revoked")
    func revokedClient() async throws {
        let pki = try TestPKI()
        let revokedSerial = pki.member.serialHex
        let checked = CheckedPeers()
        var server = pki.serverConfiguration()
        server.peerCertificateCheck = { peer in
            checked.record(peer)
            return peer.serialNumber != revokedSerial
        }
        let refusal = try await Refusal.attempt(server: server, client: pki.clientConfiguration())
        refusal.expectNothingExchanged()
        refusal.expectServerError(.certificateRefused, mentioning: "refused")
        refusal.expectClientError(.alertReceived, mentioning: "revoked")
        #expect(checked.all.map(\.uriSANs) == [[TestPKI.memberURI]])
    }

    @Test("a client that does not offer knock/1 is refused with no_application_protocol")
    func clientWithoutKnockProtocol() async throws {
        let pki = try TestPKI()
        var client = pki.clientConfiguration()
        client.applicationProtocols = ["h2"]
        let refusal = try await Refusal.attempt(server: pki.serverConfiguration(), client: client)
        refusal.expectNothingExchanged()
        refusal.expectServerError(.noApplicationProtocol, mentioning: "h2")
        refusal.expectClientError(.alertReceived, mentioning: "no application protocol")
        #expect(refusal.client.handshake == nil)
    }

    @Test("a TLS 1.2-only client is refused")
    func tls12Client() async throws {
        let pki = try TestPKI()
        var client = pki.clientConfiguration()
        client.legacyTLS12Only = true
        let refusal = try await Refusal.attempt(server: pki.serverConfiguration(), client: client)
        refusal.expectNothingExchanged()
        refusal.expectServerError(.handshakeFailed, mentioning: "unsupported protocol")
        refusal.expectClientError(.alertReceived, mentioning: "protocol version")
        #expect(refusal.client.handshake == nil)
    }

    @Test("a client refuses a server whose certificate does not carry the expected name")
    func serverNameMismatch() async throws {
        let pki = try TestPKI()
        let refusal = try await Refusal.attempt(
            server: pki.serverConfiguration(),
            client: pki.clientConfiguration(serverName: "knock-host.example")
        )
        refusal.expectNothingExchanged()
        refusal.expectClientError(.certificateRefused, mentioning: "hostname mismatch")
        refusal.expectServerError(.alertReceived, mentioning: "bad certificate")
        #expect(refusal.client.handshake == nil)
    }

    @Test("a client refuses a server certificate from another CA")
    func serverFromAnotherAuthority() async throws {
        let pki = try TestPKI()
        let stranger = try TestPKI(authorityName: "Stranger CA")
        let refusal = try await Refusal.attempt(
            server: stranger.serverConfiguration(),
            client: pki.clientConfiguration()
        )
        refusal.expectNothingExchanged()
        refusal.expectClientError(.certificateRefused, mentioning: "local issuer")
        refusal.expectServerError(.alertReceived, mentioning: "unknown ca")
    }
}
