@_spi(Testing) import KnockTLS
import NIOCore
import Testing

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
