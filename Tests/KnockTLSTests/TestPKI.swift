import Crypto
import Foundation
import KnockTLS
import SwiftASN1
import X509

/// A certificate and its key as a Knock deployment would hand them out, plus what the tests
/// expect a peer to read from it.
struct IssuedCertificate: Sendable {
    var certificatePEM: String
    var privateKeyPEM: String
    var der: [UInt8]
    /// Lowercase hex of the serial number's magnitude, as `PeerIdentity.serialNumber` prints it.
    var serialHex: String
    /// Lowercase hex SHA-256 of `der`, computed with swift-crypto.
    var sha256Hex: String
}

/// A certificate authority made in-process for one test.
struct TestAuthority: Sendable {
    var certificate: Certificate
    var privateKey: Certificate.PrivateKey
    var issued: IssuedCertificate

    init(name: String) throws {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("Knock Test")
            CommonName(name)
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(86_400),
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        self.certificate = certificate
        self.privateKey = Certificate.PrivateKey(key)
        self.issued = try IssuedCertificate(certificate, key: key)
    }

    enum Usage {
        case server
        case client
    }

    /// Issues a leaf certificate.
    func issue(
        commonName: String,
        usage: Usage,
        names: [GeneralName],
        validFrom: Date = Date().addingTimeInterval(-3600),
        validUntil: Date = Date().addingTimeInterval(86_400)
    ) throws -> IssuedCertificate {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("Knock Test")
            CommonName(commonName)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: validFrom,
            notValidAfter: validUntil,
            issuer: self.certificate.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([usage == .server ? .serverAuth : .clientAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: self.privateKey
        )
        return try IssuedCertificate(certificate, key: key)
    }
}

extension IssuedCertificate {
    init(_ certificate: Certificate, key: P256.Signing.PrivateKey) throws {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.der = serializer.serializedBytes
        self.certificatePEM = try certificate.serializeAsPEM().pemString
        self.privateKeyPEM = key.pemRepresentation
        self.serialHex = certificate.serialNumber.bytes.drop { $0 == 0 }.map { String(format: "%02x", $0) }.joined()
        self.sha256Hex = SHA256.hash(data: self.der).map { String(format: "%02x", $0) }.joined()
    }
}

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
