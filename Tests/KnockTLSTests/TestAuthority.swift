import Crypto
import Foundation
import X509

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
