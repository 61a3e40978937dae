/// Why a TLS connection failed, or why a ``TLSContext`` could not be made.
///
/// The handler fires it down the pipeline (`errorCaught`) and then closes the connection.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Compare with the static members, e.g. `error.code == .handshakeTimeout`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Wrapped: String, Sendable, Hashable {
            case handshakeFailed
            case handshakeTimeout
            case certificateRefused
            case alertReceived
            case noApplicationProtocol
            case invalidConfiguration
            case ioError
            case unexpectedEOF
        }

        let wrapped: Wrapped

        /// The handshake failed for a reason not covered by a more specific code (garbage bytes,
        /// no common protocol version or cipher, ...).
        public static let handshakeFailed = Code(wrapped: .handshakeFailed)
        /// The handshake did not finish within ``TLSConfiguration/handshakeTimeout``.
        public static let handshakeTimeout = Code(wrapped: .handshakeTimeout)
        /// This side refused the peer's certificate: none presented, not issued by a trusted CA,
        /// expired, the wrong name, or refused by ``TLSConfiguration/peerCertificateCheck``.
        public static let certificateRefused = Code(wrapped: .certificateRefused)
        /// The peer ended the connection with a fatal alert; usually it refused this side's
        /// certificate (the message names the alert, e.g. "certificate revoked").
        public static let alertReceived = Code(wrapped: .alertReceived)
        /// The peers have no application protocol in common: `knock/1` was not negotiated.
        public static let noApplicationProtocol = Code(wrapped: .noApplicationProtocol)
        /// The ``TLSConfiguration`` cannot be used: a file is missing, a PEM block does not parse,
        /// the key does not match the certificate, a client has no server name.
        public static let invalidConfiguration = Code(wrapped: .invalidConfiguration)
        /// A record could not be decrypted or encrypted after the handshake (corrupt or forged data).
        public static let ioError = Code(wrapped: .ioError)
        /// The peer closed the TCP connection without a TLS close_notify.
        public static let unexpectedEOF = Code(wrapped: .unexpectedEOF)

        /// The code's name, e.g. `certificateRefused`.
        public var description: String { self.wrapped.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened, for a person reading a log.
    public var message: String
    /// OpenSSL's error queue at the time of the failure, oldest first, as
    /// `ERR_error_string_n` prints it; empty when OpenSSL had nothing to say.
    public var openSSLErrors: [String]

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of failure this is.
    ///   - message: What happened, for a person reading a log.
    ///   - openSSLErrors: OpenSSL's error queue, oldest first.
    public init(code: Code, message: String, openSSLErrors: [String] = []) {
        self.code = code
        self.message = message
        self.openSSLErrors = openSSLErrors
    }

    /// The code, the message and OpenSSL's errors on one line.
    public var description: String {
        var text = "TLSError.\(self.code): \(self.message)"
        if !self.openSSLErrors.isEmpty {
            text += " [\(self.openSSLErrors.joined(separator: "; "))]"
        }
        return text
    }
}
