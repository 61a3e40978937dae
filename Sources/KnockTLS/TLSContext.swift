import COpenSSL

/// An OpenSSL `SSL_CTX` set up from a ``TLSConfiguration``: certificates and key loaded,
/// TLS 1.3 only, peer verification and ALPN installed.
///
/// Create one per configuration (it reads files and parses keys) and share it among all the
/// connections that use it: each ``TLSHandler`` makes its own `SSL` from it.
///
/// - Note: `@unchecked Sendable` is safe here: the `SSL_CTX` is fully set up in `init` and never
///   changed afterwards (no stored property is mutable, no method mutates the context), and
///   OpenSSL documents an `SSL_CTX` as safe to use from many threads at once for creating `SSL`
///   objects once its setup is over (its reference counts and locks are internal). Session
///   caching, the one piece of shared state OpenSSL writes per connection, is switched off.
public final class TLSContext: @unchecked Sendable {
    /// The configuration this context was built from.
    public let configuration: TLSConfiguration
    /// The `SSL_CTX`, owned by this object.
    let pointer: OpaquePointer
    /// `configuration.applicationProtocols` as ALPN's wire format (length-prefixed strings).
    let applicationProtocolsWire: [UInt8]

    /// Builds the OpenSSL context.
    /// - Parameters:
    ///   - configuration: How this side behaves.
    /// - Throws: `TLSError` with code `invalidConfiguration` when a file cannot be read, a PEM
    ///   block does not parse, the key does not match the certificate, or a client has no server name.
    public init(configuration: TLSConfiguration) throws {
        self.configuration = configuration
        self.applicationProtocolsWire = try Self.wireFormat(configuration.applicationProtocols)
        if configuration.role == .client, (configuration.serverName ?? "").isEmpty {
            throw TLSError(code: .invalidConfiguration, message: "a client needs the server name to verify")
        }

        ERR_clear_error()
        let method = configuration.role == .server ? TLS_server_method() : TLS_client_method()
        guard let pointer = SSL_CTX_new(method) else {
            throw OpenSSLErrorStack.drain().error(.invalidConfiguration, "SSL_CTX_new failed")
        }
        self.pointer = pointer
        // From here on `deinit` frees the context if a step below throws.

        try self.setProtocolVersions()
        // No session resumption: every connection runs the full handshake, so that every
        // connection's peer certificate goes through `peerCertificateCheck` (a resumed session
        // would skip a certificate revoked since).
        _ = knock_SSL_CTX_set_session_cache_mode(pointer, Int(SSL_SESS_CACHE_OFF))
        _ = SSL_CTX_set_num_tickets(pointer, 0)
        // Idle connections give their record buffers back. The chain sent is exactly the
        // configured one: OpenSSL would otherwise complete it from the trust roots.
        _ = knock_SSL_CTX_set_mode(pointer, Int(SSL_MODE_RELEASE_BUFFERS | SSL_MODE_NO_AUTO_CHAIN))

        if !(configuration.role == .client && configuration.presentsNoCertificate) {
            try self.useCertificateChainAndKey()
        }
        try self.trustRoots()
        self.installPeerVerification()
        try self.installApplicationProtocolNegotiation()
    }

    deinit {
        SSL_CTX_free(self.pointer)
    }

    // MARK: Setup steps

    private func setProtocolVersions() throws {
        let version = self.configuration.legacyTLS12Only ? TLS1_2_VERSION : TLS1_3_VERSION
        guard knock_SSL_CTX_set_min_proto_version(self.pointer, version) == 1,
            knock_SSL_CTX_set_max_proto_version(self.pointer, version) == 1
        else {
            throw OpenSSLErrorStack.drain().error(.invalidConfiguration, "cannot restrict the protocol version")
        }
    }

    private func useCertificateChainAndKey() throws {
        let chain = try self.configuration.certificateChain.readCertificates()
        defer { chain.forEach { X509_free($0) } }
        guard SSL_CTX_use_certificate(self.pointer, chain[0]) == 1 else {
            throw OpenSSLErrorStack.drain().error(
                .invalidConfiguration,
                "cannot use the certificate in \(self.configuration.certificateChain)"
            )
        }
        for intermediate in chain.dropFirst() {
            guard knock_SSL_CTX_add1_chain_cert(self.pointer, intermediate) == 1 else {
                throw OpenSSLErrorStack.drain().error(
                    .invalidConfiguration,
                    "cannot add an intermediate certificate from \(self.configuration.certificateChain)"
                )
            }
        }

        let key = try self.configuration.privateKey.readPrivateKey()
        defer { EVP_PKEY_free(key) }
        guard SSL_CTX_use_PrivateKey(self.pointer, key) == 1, SSL_CTX_check_private_key(self.pointer) == 1 else {
            throw OpenSSLErrorStack.drain().error(
                .invalidConfiguration,
                "the private key in \(self.configuration.privateKey) does not match the certificate"
            )
        }
    }

    private func trustRoots() throws {
        let roots = try self.configuration.trustRoots.readCertificates()
        defer { roots.forEach { X509_free($0) } }
        let store = SSL_CTX_get_cert_store(self.pointer)
        for root in roots {
            // Both calls take their own references.
            guard X509_STORE_add_cert(store, root) == 1 else {
                throw OpenSSLErrorStack.drain().error(
                    .invalidConfiguration,
                    "cannot trust a certificate from \(self.configuration.trustRoots)"
                )
            }
            // A server names the CAs it accepts in its CertificateRequest.
            if self.configuration.role == .server, SSL_CTX_add_client_CA(self.pointer, root) != 1 {
                throw OpenSSLErrorStack.drain().error(
                    .invalidConfiguration,
                    "cannot name a client CA from \(self.configuration.trustRoots)"
                )
            }
        }
    }

    private static func wireFormat(_ protocols: [String]) throws -> [UInt8] {
        guard !protocols.isEmpty else {
            throw TLSError(code: .invalidConfiguration, message: "no application protocol configured")
        }
        var wire: [UInt8] = []
        for name in protocols {
            let bytes = Array(name.utf8)
            guard (1...255).contains(bytes.count) else {
                throw TLSError(code: .invalidConfiguration, message: "application protocol \"\(name)\" must be 1 to 255 bytes")
            }
            wire.append(UInt8(bytes.count))
            wire += bytes
        }
        return wire
    }
}
