import COpenSSL
import NIOCore

/// The ex_data slot where each `SSL` made by Knock keeps its (unretained) `TLSConnection`,
/// so that OpenSSL's C callbacks find their way back to Swift.
let tlsConnectionExDataIndex: Int32 = knock_SSL_get_ex_new_index()

/// One OpenSSL `SSL`, driven through two memory BIOs: OpenSSL never touches the socket.
///
/// Owns the `SSL` (and through it both BIOs) and frees it in `deinit`. Not thread-safe: it
/// belongs to the ``TLSHandler`` that made it and is used on that handler's event loop only.
final class TLSConnection {
    let context: TLSContext
    let ssl: OpaquePointer
    /// Ciphertext from the network, written by us, read by OpenSSL.
    private let networkInput: OpaquePointer
    /// Ciphertext from OpenSSL, read by us, for the network.
    private let networkOutput: OpaquePointer

    /// The peer's leaf certificate as the verify callback judged it.
    /// Set only by `verifyPeer` (TLSConnection+Callbacks.swift).
    var verifiedPeer: PeerIdentity?
    /// Why one of our callbacks refused the handshake; more precise than OpenSSL's own error.
    var refusal: TLSError?

    /// Makes an `SSL` for one connection.
    /// - Parameters:
    ///   - context: The shared context; kept alive as long as this connection.
    ///   - serverName: For a client, overrides the configuration's server name.
    /// - Throws: `TLSError` with code `invalidConfiguration` when OpenSSL cannot make the `SSL`
    ///   or a client has no server name.
    init(context: TLSContext, serverName: String?) throws {
        ERR_clear_error()
        guard let ssl = SSL_new(context.pointer) else {
            throw OpenSSLErrorStack.drain().error(.invalidConfiguration, "SSL_new failed")
        }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw OpenSSLErrorStack.drain().error(.invalidConfiguration, "BIO_new failed")
        }
        // An empty memory BIO means "wait for more" (retry), never end-of-file.
        _ = knock_BIO_set_mem_eof_return(input, -1)
        _ = knock_BIO_set_mem_eof_return(output, -1)
        SSL_set_bio(ssl, input, output)  // the SSL owns both BIOs from here on
        self.context = context
        self.ssl = ssl
        self.networkInput = input
        self.networkOutput = output
        // Fully initialised: `deinit` frees the SSL if a step below throws.

        SSL_set_ex_data(ssl, tlsConnectionExDataIndex, Unmanaged.passUnretained(self).toOpaque())
        if context.configuration.role == .server {
            SSL_set_accept_state(ssl)
        } else {
            SSL_set_connect_state(ssl)
            try self.expectServerName(serverName ?? context.configuration.serverName ?? "")
        }
    }

    deinit {
        SSL_free(self.ssl)
    }

    /// The connection whose `SSL` this is, inside an OpenSSL callback.
    static func owning(_ ssl: OpaquePointer) -> TLSConnection? {
        guard let raw = SSL_get_ex_data(ssl, tlsConnectionExDataIndex) else { return nil }
        return Unmanaged<TLSConnection>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Verifies the server's certificate against `name` and sends it as SNI if it is a DNS name.
    private func expectServerName(_ name: String) throws {
        guard !name.isEmpty else {
            throw TLSError(code: .invalidConfiguration, message: "a client needs the server name to verify")
        }
        ERR_clear_error()
        // SSL_set1_host takes an IP address literal as an IP address to match.
        guard SSL_set1_host(self.ssl, name) == 1 else {
            throw OpenSSLErrorStack.drain().error(.invalidConfiguration, "cannot expect server name \(name)")
        }
        // RFC 6066: SNI carries DNS names only, never address literals.
        if let address = a2i_IPADDRESS(name) {
            ASN1_OCTET_STRING_free(address)
        } else if knock_SSL_set_tlsext_host_name(self.ssl, name) != 1 {
            throw OpenSSLErrorStack.drain().error(.invalidConfiguration, "cannot send server name \(name)")
        }
        ERR_clear_error()
    }

    // MARK: Handshake

    enum HandshakeProgress {
        case complete
        case needsMoreInput
        case failed(TLSError)
    }

    /// Advances the handshake with what `receive` has fed in so far.
    func handshake() -> HandshakeProgress {
        ERR_clear_error()
        let result = SSL_do_handshake(self.ssl)
        if result == 1 {
            return .complete
        }
        let error = SSL_get_error(self.ssl, result)
        if error == SSL_ERROR_WANT_READ {
            return .needsMoreInput
        }
        return .failed(self.failure(sslError: error, duringHandshake: true))
    }

    /// The ALPN protocol the handshake settled on, if any.
    var negotiatedApplicationProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(self.ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The peer's identity after a completed handshake.
    /// - Throws: `TLSError` when the peer has no certificate or it cannot be read.
    func peerIdentity() throws(TLSError) -> PeerIdentity {
        if let verifiedPeer {
            return verifiedPeer
        }
        guard let certificate = SSL_get1_peer_certificate(self.ssl) else {
            throw TLSError(code: .certificateRefused, message: "the peer presented no certificate")
        }
        defer { X509_free(certificate) }
        return try PeerIdentity(certificate: certificate)
    }

    // MARK: Records

    /// Hands ciphertext from the network to OpenSSL.
    func receive(_ ciphertext: ByteBuffer) {
        ciphertext.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let chunk = Int32(min(bytes.count - offset, 1 << 30))
                let written = BIO_write(self.networkInput, bytes.baseAddress! + offset, chunk)
                // A memory BIO only refuses a write when memory is exhausted.
                precondition(written == chunk, "BIO_write to a memory BIO failed")
                offset += Int(written)
            }
        }
    }

    enum ReadOutcome {
        /// Everything received so far is decrypted; the rest of a record is still to come.
        case needsMoreInput
        /// The peer sent close_notify: it will send nothing more.
        case closeNotify
        case failed(TLSError)
    }

    /// Decrypts everything decryptable into `plaintext`.
    func readPlaintext(into plaintext: inout ByteBuffer) -> ReadOutcome {
        while true {
            // Plaintext is never longer than the ciphertext it came from.
            let bound = Int(SSL_pending(self.ssl)) + Int(knock_BIO_pending(self.networkInput))
            var result: Int32 = 0
            plaintext.writeWithUnsafeMutableBytes(minimumWritableBytes: max(bound, 1)) { buffer in
                ERR_clear_error()
                result = SSL_read(self.ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
                return result > 0 ? Int(result) : 0
            }
            if result > 0 {
                continue
            }
            switch SSL_get_error(self.ssl, result) {
            case SSL_ERROR_WANT_READ:
                return .needsMoreInput
            case SSL_ERROR_ZERO_RETURN:
                ERR_clear_error()
                return .closeNotify
            case let error:
                return .failed(self.failure(sslError: error, duringHandshake: false))
            }
        }
    }

    /// Encrypts `plaintext` into records waiting in the outgoing BIO.
    /// - Returns: The error if OpenSSL refused, which ends the connection.
    func write(_ plaintext: UnsafeRawBufferPointer) -> TLSError? {
        var offset = 0
        while offset < plaintext.count {
            let chunk = Int32(min(plaintext.count - offset, 1 << 30))
            ERR_clear_error()
            let result = SSL_write(self.ssl, plaintext.baseAddress! + offset, chunk)
            guard result > 0 else {
                return self.failure(sslError: SSL_get_error(self.ssl, result), duringHandshake: false)
            }
            offset += Int(result)
        }
        return nil
    }

    /// Queues a close_notify alert in the outgoing BIO.
    func shutdown() {
        ERR_clear_error()
        // 0 means "sent, the peer's has not arrived": that is all we ask for.
        _ = SSL_shutdown(self.ssl)
        ERR_clear_error()
    }

    /// How many ciphertext bytes wait in the outgoing BIO.
    var pendingCiphertextCount: Int {
        Int(knock_BIO_pending(self.networkOutput))
    }

    /// Moves all ciphertext waiting in the outgoing BIO into `buffer`.
    func drainCiphertext(into buffer: inout ByteBuffer) {
        while case let pending = self.pendingCiphertextCount, pending > 0 {
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { space in
                Int(max(0, BIO_read(self.networkOutput, space.baseAddress, Int32(pending))))
            }
        }
    }

    // MARK: Errors

    /// Turns a failed SSL call into a `TLSError`, draining OpenSSL's error queue.
    private func failure(sslError: Int32, duringHandshake: Bool) -> TLSError {
        let stack = OpenSSLErrorStack.drain()
        if var refusal = self.refusal {
            refusal.openSSLErrors = stack.strings
            return refusal
        }
        if sslError == SSL_ERROR_ZERO_RETURN {
            return stack.error(.unexpectedEOF, "the peer closed TLS during the handshake")
        }
        if stack.containsSSLReason(SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
            return stack.error(.certificateRefused, "the peer presented no certificate")
        }
        let verifyResult = SSL_get_verify_result(self.ssl)
        if verifyResult != Int(X509_V_OK), stack.containsSSLReason(SSL_R_CERTIFICATE_VERIFY_FAILED) {
            let reason = String(cString: X509_verify_cert_error_string(verifyResult))
            return stack.error(.certificateRefused, "the peer's certificate was refused: \(reason)")
        }
        if let alert = stack.receivedAlert {
            return stack.error(.alertReceived, "the peer ended the connection with a fatal alert: \(alert)")
        }
        let reason = stack.firstReason.map { ": \($0)" } ?? ""
        if duringHandshake {
            return stack.error(.handshakeFailed, "the TLS handshake failed\(reason)")
        }
        return stack.error(.ioError, "a TLS record could not be processed\(reason)")
    }
}

@available(*, unavailable)
extension TLSConnection: Sendable {}
