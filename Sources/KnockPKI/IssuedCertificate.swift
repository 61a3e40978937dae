import Crypto
public import Foundation
import SwiftASN1
import X509

/// A certificate and its private key, as handed to a member's app, a module or an integrator.
public struct IssuedCertificate: Sendable, Hashable {
    /// The certificate, PEM.
    public var certificatePEM: String
    /// The private key, PEM (PKCS#8). Keep it secret.
    public var privateKeyPEM: String
    /// The serial number, lowercase hex without leading zero bytes.
    public var serialNumber: String
    /// SHA-256 of the certificate's DER encoding, lowercase hex.
    public var sha256Fingerprint: String
    /// The end of the validity period.
    public var notAfter: Date
    /// The identity in the URI SAN, if any.
    public var identity: KnockIdentity?

    init(_ certificate: Certificate, keyPEM: String, identity: KnockIdentity?) throws(PKIError) {
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            let der = serializer.serializedBytes
            self.certificatePEM = try certificate.serializeAsPEM().pemString
            self.sha256Fingerprint = SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
        } catch {
            throw PKIError(.signingFailed, "the certificate could not be encoded: \(error)")
        }
        self.privateKeyPEM = keyPEM
        self.serialNumber = certificate.serialNumber.bytes.drop { $0 == 0 }.map { String(format: "%02x", $0) }.joined()
        self.notAfter = certificate.notValidAfter
        self.identity = identity
    }
}
