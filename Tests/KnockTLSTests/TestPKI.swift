import Foundation
import KnockTLS
import SwiftASN1
import X509

/// Everything the tests need: the deployment's CA and what it issued, and a stranger CA.
struct TestPKI: Sendable {
    /// The URI a member's certificate carries.
    static let memberURI = "knock://member/m-1"

    var authority: TestAuthority
    /// CN=localhost, SAN DNS:localhost and IP:127.0.0.1.
    var server: IssuedCertificate
    /// A member: CN=张三 (UTF-8 must survive), SAN URI knock://member/m-1.
    var member: IssuedCertificate
    /// Expired yesterday.
    var expiredMember: IssuedCertificate
    /// Issued by `stranger`, not by `authority`.
    var strangerMember: IssuedCertificate

    /// - Parameters:
    ///   - authorityName: The CA's common name; a second PKI standing for a stranger needs
    ///     another, or OpenSSL takes it for the same CA with a bad signature.
    init(authorityName: String = "Knock Test CA") throws {
        let authority = try TestAuthority(name: authorityName)
        let stranger = try TestAuthority(name: "Some Other CA")
        self.authority = authority
        self.server = try authority.issue(
            commonName: "localhost",
            usage: .server,
            names: [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))]
        )
        self.member = try authority.issue(
            commonName: "张三",
            usage: .client,
            names: [.uniformResourceIdentifier(Self.memberURI)]
        )
        self.expiredMember = try authority.issue(
            commonName: "expired",
            usage: .client,
            names: [.uniformResourceIdentifier("knock://member/m-old")],
            validFrom: Date().addingTimeInterval(-2 * 86_400),
            validUntil: Date().addingTimeInterval(-86_400)
        )
        self.strangerMember = try stranger.issue(
            commonName: "stranger",
            usage: .client,
            names: [.uniformResourceIdentifier("knock://member/m-1")]
        )
    }

    /// A server configuration presenting `server`, trusting `authority`.
    func serverConfiguration() -> TLSConfiguration {
        .server(
            certificateChain: .string(self.server.certificatePEM),
            privateKey: .string(self.server.privateKeyPEM),
            trustRoots: .string(self.authority.issued.certificatePEM)
        )
    }

    /// A client configuration presenting `identity`, trusting `authority`.
    func clientConfiguration(_ identity: IssuedCertificate? = nil, serverName: String = "localhost") -> TLSConfiguration {
        let identity = identity ?? self.member
        return .client(
            certificateChain: .string(identity.certificatePEM),
            privateKey: .string(identity.privateKeyPEM),
            trustRoots: .string(self.authority.issued.certificatePEM),
            serverName: serverName
        )
    }
}
