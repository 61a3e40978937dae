#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Who the peer of a TLS connection is, read from its verified leaf certificate.
///
/// The handler builds it while verifying the certificate (so that
/// ``TLSConfiguration/peerCertificateCheck`` can judge it), delivers it in
/// ``TLSEvent/handshakeCompleted(peer:applicationProtocol:)`` and keeps it in
/// ``TLSHandler/peerIdentity``.
public struct PeerIdentity: Sendable, Hashable {
    /// The subject as an RFC 2253 string (`CN=...,O=...`), most specific part first;
    /// non-ASCII text stays UTF-8.
    public var subject: String
    /// The URI subject alternative names, e.g. `knock://member/m-1`, in certificate order.
    public var uriSANs: [String]
    /// The DNS subject alternative names, in certificate order.
    public var dnsSANs: [String]
    /// The IP address subject alternative names, printed (`127.0.0.1`, `::1`), in certificate order.
    public var ipAddressSANs: [String]
    /// The serial number as lowercase hex of its big-endian magnitude, no leading zero bytes
    /// (`-` in front if the certificate, unusually, has a negative one).
    public var serialNumber: String
    /// SHA-256 of the certificate's DER encoding, as 64 lowercase hex digits.
    public var sha256Fingerprint: String
    /// The start of the certificate's validity.
    public var notBefore: Date?
    /// The end of the certificate's validity.
    public var notAfter: Date?
    /// The certificate's DER encoding, for a layer that wants to parse more of it.
    public var certificateDER: [UInt8]

    /// Creates an identity by hand (tests, in-process transports).
    /// - Parameters:
    ///   - subject: RFC 2253 subject.
    ///   - uriSANs: URI subject alternative names.
    ///   - dnsSANs: DNS subject alternative names.
    ///   - ipAddressSANs: IP address subject alternative names, printed.
    ///   - serialNumber: Serial number in lowercase hex.
    ///   - sha256Fingerprint: SHA-256 of the DER in lowercase hex.
    ///   - notBefore: Start of validity.
    ///   - notAfter: End of validity.
    ///   - certificateDER: The certificate's DER encoding.
    public init(
        subject: String,
        uriSANs: [String] = [],
        dnsSANs: [String] = [],
        ipAddressSANs: [String] = [],
        serialNumber: String,
        sha256Fingerprint: String,
        notBefore: Date? = nil,
        notAfter: Date? = nil,
        certificateDER: [UInt8] = []
    ) {
        self.subject = subject
        self.uriSANs = uriSANs
        self.dnsSANs = dnsSANs
        self.ipAddressSANs = ipAddressSANs
        self.serialNumber = serialNumber
        self.sha256Fingerprint = sha256Fingerprint
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.certificateDER = certificateDER
    }
}
