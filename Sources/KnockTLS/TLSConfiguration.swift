public import NIOCore

/// How one side of Knock's TLS behaves: TLS 1.3, mutual authentication, ALPN `knock/1`.
///
/// A configuration is only a description. Build a ``TLSContext`` from it once and share that
/// context among all the connections that use it.
///
/// ```swift
/// let context = try TLSContext(configuration: .server(
///     certificateChain: .file("/etc/knock/host.pem"),
///     privateKey: .file("/etc/knock/host.key"),
///     trustRoots: .file("/etc/knock/ca.pem")
/// ))
/// ```
public struct TLSConfiguration: Sendable {
    /// Which end of the handshake this side plays.
    public struct Role: Sendable, Hashable, CustomStringConvertible {
        enum Wrapped: String, Sendable, Hashable {
            case server
            case client
        }

        let wrapped: Wrapped

        /// Accepts connections; requires and verifies the client's certificate.
        public static let server = Role(wrapped: .server)
        /// Dials; verifies the server's certificate and name, presents its own certificate.
        public static let client = Role(wrapped: .client)

        /// `server` or `client`.
        public var description: String { self.wrapped.rawValue }
    }

    /// The ALPN protocol every Knock connection speaks.
    public static let knockApplicationProtocol = "knock/1"

    /// Which end of the handshake this side plays.
    public var role: Role
    /// This side's certificate, leaf first, then any intermediates to send with it.
    public var certificateChain: PEMSource
    /// The private key of the leaf certificate (PKCS#8, traditional, EC or RSA PEM).
    public var privateKey: PEMSource
    /// The CA certificates the peer's chain must lead to: the deployment's CA.
    public var trustRoots: PEMSource
    /// For a client, the name the server's certificate must carry (a DNS name or an IP address);
    /// it is also sent as SNI when it is a DNS name. Ignored by a server.
    public var serverName: String?
    /// How long a handshake may take before the connection is closed with
    /// ``TLSError/Code/handshakeTimeout``. Default 10 seconds.
    public var handshakeTimeout: TimeAmount
    /// How long a close waits for its close_notify to be written before closing the socket
    /// anyway (a peer that stops reading must not keep a connection open). Default 5 seconds.
    public var closeTimeout: TimeAmount
    /// A last word on the peer's leaf certificate, after OpenSSL has verified its chain, validity
    /// and name: return `false` to refuse it (the host's revocation list). A refused peer gets a
    /// `certificate_revoked` alert and this side a ``TLSError/Code/certificateRefused`` error.
    ///
    /// It runs synchronously on the connection's event loop during the handshake: keep it quick
    /// (look the serial number or fingerprint up in memory), never block.
    public var peerCertificateCheck: (@Sendable (PeerIdentity) -> Bool)?

    /// The ALPN protocols offered (client) or accepted (server). Tests only: Knock always
    /// speaks `knock/1`.
    @_spi(Testing) public var applicationProtocols: [String]
    /// Speak TLS 1.2 only, to check that a Knock peer refuses it. Tests only.
    @_spi(Testing) public var legacyTLS12Only: Bool
    /// A client that presents no certificate, to check that a Knock server refuses it. Tests only.
    @_spi(Testing) public var presentsNoCertificate: Bool

    /// Creates a configuration; ``server(certificateChain:privateKey:trustRoots:)`` and
    /// ``client(certificateChain:privateKey:trustRoots:serverName:)`` read better.
    /// - Parameters:
    ///   - role: Which end of the handshake this side plays.
    ///   - certificateChain: This side's certificate, leaf first, then intermediates.
    ///   - privateKey: The leaf certificate's private key.
    ///   - trustRoots: The CA certificates the peer's chain must lead to.
    ///   - serverName: For a client, the name the server's certificate must carry.
    ///   - handshakeTimeout: How long a handshake may take.
    ///   - peerCertificateCheck: Returns `false` to refuse a verified peer certificate.
    public init(
        role: Role,
        certificateChain: PEMSource,
        privateKey: PEMSource,
        trustRoots: PEMSource,
        serverName: String? = nil,
        handshakeTimeout: TimeAmount = .seconds(10),
        peerCertificateCheck: (@Sendable (PeerIdentity) -> Bool)? = nil
    ) {
        self.role = role
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.trustRoots = trustRoots
        self.serverName = serverName
        self.handshakeTimeout = handshakeTimeout
        self.closeTimeout = .seconds(5)
        self.peerCertificateCheck = peerCertificateCheck
        self.applicationProtocols = [Self.knockApplicationProtocol]
        self.legacyTLS12Only = false
        self.presentsNoCertificate = false
    }

    /// A server: presents `certificateChain` and requires a client certificate issued under `trustRoots`.
    /// - Parameters:
    ///   - certificateChain: The server's certificate, leaf first, then intermediates.
    ///   - privateKey: The leaf certificate's private key.
    ///   - trustRoots: The CA certificates that issue client certificates.
    public static func server(
        certificateChain: PEMSource,
        privateKey: PEMSource,
        trustRoots: PEMSource
    ) -> TLSConfiguration {
        TLSConfiguration(
            role: .server,
            certificateChain: certificateChain,
            privateKey: privateKey,
            trustRoots: trustRoots
        )
    }

    /// A client: presents `certificateChain` and requires a server certificate issued under
    /// `trustRoots` that carries `serverName`.
    /// - Parameters:
    ///   - certificateChain: The client's certificate, leaf first, then intermediates.
    ///   - privateKey: The leaf certificate's private key.
    ///   - trustRoots: The CA certificates that issue server certificates.
    ///   - serverName: The DNS name or IP address the server's certificate must carry.
    public static func client(
        certificateChain: PEMSource,
        privateKey: PEMSource,
        trustRoots: PEMSource,
        serverName: String
    ) -> TLSConfiguration {
        TLSConfiguration(
            role: .client,
            certificateChain: certificateChain,
            privateKey: privateKey,
            trustRoots: trustRoots,
            serverName: serverName
        )
    }
}
