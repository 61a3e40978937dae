import Crypto
import Foundation
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
