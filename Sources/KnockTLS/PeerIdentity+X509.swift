import COpenSSL

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension PeerIdentity {
    /// Reads an identity from an OpenSSL `X509`, which stays the caller's.
    /// - Throws: `TLSError` with code `certificateRefused` when the certificate cannot be encoded
    ///   or printed.
    init(certificate: OpaquePointer) throws(TLSError) {
        let der = try Self.derBytes(of: certificate)
        let names = Self.subjectAlternativeNames(of: certificate)
        self.init(
            subject: try Self.subject(of: certificate),
            uriSANs: names.uris,
            dnsSANs: names.dns,
            ipAddressSANs: names.ipAddresses,
            serialNumber: Self.serialNumber(of: certificate),
            sha256Fingerprint: try Self.sha256Fingerprint(of: certificate),
            notBefore: Self.date(of: X509_get0_notBefore(certificate)),
            notAfter: Self.date(of: X509_get0_notAfter(certificate)),
            certificateDER: der
        )
    }

    private static func unreadable(_ what: String) -> TLSError {
        OpenSSLErrorStack.drain().error(.certificateRefused, "cannot read the peer certificate's \(what)")
    }

    private static func derBytes(of certificate: OpaquePointer) throws(TLSError) -> [UInt8] {
        let length = i2d_X509(certificate, nil)
        guard length > 0 else { throw Self.unreadable("DER encoding") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_X509(certificate, &cursor)
        }
        guard written == length else { throw Self.unreadable("DER encoding") }
        return der
    }

    private static func subject(of certificate: OpaquePointer) throws(TLSError) -> String {
        guard let name = X509_get_subject_name(certificate), let bio = BIO_new(BIO_s_mem()) else {
            throw Self.unreadable("subject")
        }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, knock_XN_FLAG_RFC2253_UTF8()) >= 0 else {
            throw Self.unreadable("subject")
        }
        var text = [UInt8](repeating: 0, count: Int(knock_BIO_pending(bio)))
        let read = text.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32($0.count)) }
        return String(decoding: text.prefix(Int(max(read, 0))), as: UTF8.self)
    }

    private static func subjectAlternativeNames(
        of certificate: OpaquePointer
    ) -> (uris: [String], dns: [String], ipAddresses: [String]) {
        var result: (uris: [String], dns: [String], ipAddresses: [String]) = ([], [], [])
        guard let raw = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) else {
            ERR_clear_error()
            return result
        }
        let names = OpaquePointer(raw)
        defer { GENERAL_NAMES_free(names) }
        for index in 0..<knock_sk_GENERAL_NAME_num(names) {
            guard let name = knock_sk_GENERAL_NAME_value(names, index),
                let string = knock_GENERAL_NAME_string(name)
            else { continue }
            let bytes = UnsafeBufferPointer(start: ASN1_STRING_get0_data(string), count: Int(ASN1_STRING_length(string)))
            switch knock_GENERAL_NAME_type(name) {
            case GEN_URI: result.uris.append(String(decoding: bytes, as: UTF8.self))
            case GEN_DNS: result.dns.append(String(decoding: bytes, as: UTF8.self))
            case GEN_IPADD: result.ipAddresses.append(Self.printedAddress(bytes))
            default: continue
            }
        }
        return result
    }

    private static func printedAddress(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        switch bytes.count {
        case 4:
            return bytes.map(String.init).joined(separator: ".")
        case 16:
            // Eight groups, the longest run of zero groups (two or more) written `::` (RFC 5952).
            let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
            var best: Range<Int>? = nil
            var start: Int? = nil
            for index in 0...groups.count {
                if index < groups.count, groups[index] == 0 {
                    start = start ?? index
                } else if let runStart = start {
                    if index - runStart >= 2, index - runStart > (best?.count ?? 0) { best = runStart..<index }
                    start = nil
                }
            }
            let hex = groups.map { String($0, radix: 16) }
            guard let best else { return hex.joined(separator: ":") }
            return hex[..<best.lowerBound].joined(separator: ":") + "::" + hex[best.upperBound...].joined(separator: ":")
        default:
            return bytes.map { hexDigits($0) }.joined()
        }
    }

    private static func serialNumber(of certificate: OpaquePointer) -> String {
        guard let serial = X509_get0_serialNumber(certificate) else { return "" }
        let bytes = UnsafeBufferPointer(start: ASN1_STRING_get0_data(serial), count: Int(ASN1_STRING_length(serial)))
        let magnitude = bytes.drop { $0 == 0 }.map { hexDigits($0) }.joined()
        let sign = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? "-" : ""
        return sign + (magnitude.isEmpty ? "0" : magnitude)
    }

    private static func sha256Fingerprint(of certificate: OpaquePointer) throws(TLSError) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(certificate, EVP_sha256(), &digest, &length) == 1 else {
            throw Self.unreadable("fingerprint")
        }
        return digest.prefix(Int(length)).map { hexDigits($0) }.joined()
    }

    private static func date(of time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else {
            ERR_clear_error()
            return nil
        }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}

/// Two lowercase hex digits.
private func hexDigits(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16)
    return byte < 16 ? "0" + digits : digits
}
