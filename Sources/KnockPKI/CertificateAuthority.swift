import Crypto
public import Foundation
import SwiftASN1
public import X509

/// A deployment's certificate authority: the host's own CA, which issues the certificates of
/// the host, members' apps, modules, integrators and departments.
public struct CertificateAuthority: Sendable {
    /// What a certificate is for.
    public enum Usage: String, Sendable, Hashable {
        /// A TLS server (the host).
        case server
        /// A TLS client (apps, modules, integrators).
        case client
    }

    /// The CA certificate.
    public let certificate: Certificate
    private let privateKey: Certificate.PrivateKey
    /// The CA certificate and key as PEM, for saving.
    public let issued: IssuedCertificate

    /// Creates a new CA with a fresh P-256 key.
    /// - Parameters:
    ///   - name: The CA's common name, e.g. `工人村街 Knock CA`.
    ///   - organization: The organisation, e.g. the street office.
    ///   - validity: How long the CA is valid (default ten years).
    /// - Throws: ``PKIError`` if signing fails.
    public static func create(name: String, organization: String = "Knock", validity: TimeInterval = 10 * 365 * 86_400) throws(PKIError) -> CertificateAuthority {
        let key = P256.Signing.PrivateKey()
        do {
            let subject = try DistinguishedName {
                OrganizationName(organization)
                CommonName(name)
            }
            let now = Date()
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now.addingTimeInterval(-300),
                notValidAfter: now.addingTimeInterval(validity),
                issuer: subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                },
                issuerPrivateKey: Certificate.PrivateKey(key)
            )
            return try CertificateAuthority(certificate: certificate, privateKey: Certificate.PrivateKey(key), keyPEM: key.pemRepresentation)
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError(.signingFailed, "the CA could not be created: \(error)")
        }
    }

    /// Loads a CA saved as PEM.
    /// - Parameters:
    ///   - certificatePEM: The CA certificate.
    ///   - privateKeyPEM: The CA's private key.
    /// - Throws: ``PKIError`` `invalidPEM` if either does not parse or they do not match.
    public init(certificatePEM: String, privateKeyPEM: String) throws(PKIError) {
        let certificate: Certificate
        let key: Certificate.PrivateKey
        do {
            certificate = try Certificate(pemEncoded: certificatePEM)
        } catch {
            throw PKIError(.invalidPEM, "the CA certificate does not parse: \(error)")
        }
        do {
            key = try Certificate.PrivateKey(pemEncoded: privateKeyPEM)
        } catch {
            throw PKIError(.invalidPEM, "the CA private key does not parse: \(error)")
        }
        guard key.publicKey == certificate.publicKey else {
            throw PKIError(.invalidPEM, "the CA private key does not belong to the CA certificate")
        }
        try self.init(certificate: certificate, privateKey: key, keyPEM: privateKeyPEM)
    }

    private init(certificate: Certificate, privateKey: Certificate.PrivateKey, keyPEM: String) throws(PKIError) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.issued = try IssuedCertificate(certificate, keyPEM: keyPEM, identity: nil)
    }

    /// Issues a certificate with a fresh P-256 key.
    /// - Parameters:
    ///   - commonName: The subject's common name (a person's or system's name; UTF-8 is fine).
    ///   - identity: The `knock://kind/id` identity put in the URI SAN.
    ///   - usage: Server or client.
    ///   - dnsNames: DNS SANs (servers).
    ///   - ipAddresses: IP SANs as text, e.g. `127.0.0.1` (servers).
    ///   - validFrom: Start of validity (default: five minutes ago, for clock skew).
    ///   - validity: Length of validity (default one year).
    /// - Returns: The certificate and its key.
    /// - Throws: ``PKIError`` `invalidRequest` for a bad identity, address or validity.
    public func issue(
        commonName: String,
        identity: KnockIdentity?,
        usage: Usage,
        dnsNames: [String] = [],
        ipAddresses: [String] = [],
        validFrom: Date = Date().addingTimeInterval(-300),
        validity: TimeInterval = 365 * 86_400
    ) throws(PKIError) -> IssuedCertificate {
        if let identity, !KnockIdentity.isValidID(identity.id) {
            throw PKIError(.invalidRequest, "identity id \"\(identity.id)\" must be 1 to 128 of a-z 0-9 - _ .")
        }
        guard validity > 0 else {
            throw PKIError(.invalidRequest, "validity must be positive")
        }
        var names: [GeneralName] = []
        if let identity { names.append(.uniformResourceIdentifier(identity.uri)) }
        names += dnsNames.map { .dnsName($0) }
        for address in ipAddresses {
            guard let bytes = Self.ipBytes(address) else {
                throw PKIError(.invalidRequest, "\(address) is not an IPv4 or IPv6 address")
            }
            names.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...])))
        }
        let key = P256.Signing.PrivateKey()
        do {
            let subject = try DistinguishedName {
                OrganizationName(certificate.subject.organizationName ?? "Knock")
                CommonName(commonName)
            }
            let issued = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: validFrom,
                notValidAfter: validFrom.addingTimeInterval(validity),
                issuer: certificate.subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([usage == .server ? .serverAuth : .clientAuth])
                    if !names.isEmpty { SubjectAlternativeNames(names) }
                },
                issuerPrivateKey: privateKey
            )
            return try IssuedCertificate(issued, keyPEM: key.pemRepresentation, identity: identity)
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError(.signingFailed, "the certificate could not be signed: \(error)")
        }
    }

    private static func ipBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}

extension DistinguishedName {
    var organizationName: String? {
        for rdn in self {
            for attribute in rdn where attribute.type == .RDNAttributeType.organizationName {
                return attribute.value.description
            }
        }
        return nil
    }
}
