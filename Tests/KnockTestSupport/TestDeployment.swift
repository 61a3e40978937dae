import Foundation
public import KnockPKI
public import KnockTLS
public import NIOCore

/// A deployment's PKI made in-process: the CA, the host's certificate (localhost, 127.0.0.1)
/// and certificates for whoever a test needs.
public struct TestDeployment: Sendable {
    public let authority: CertificateAuthority
    public let host: IssuedCertificate

    public init(name: String = "Knock Test CA") throws {
        authority = try CertificateAuthority.create(name: name, organization: "Knock Test")
        host = try authority.issue(
            commonName: "knock-host",
            identity: KnockIdentity(kind: .host, id: "test-host"),
            usage: .server,
            dnsNames: ["localhost"],
            ipAddresses: ["127.0.0.1"]
        )
    }

    /// Issues a client certificate for `identity`.
    public func client(_ identity: KnockIdentity, name: String? = nil, validity: TimeInterval = 86_400, validFrom: Date = Date().addingTimeInterval(-300)) throws -> IssuedCertificate {
        try authority.issue(commonName: name ?? identity.id, identity: identity, usage: .client, validFrom: validFrom, validity: validity)
    }

    /// The host's server TLS context; `refuse` is the revocation hook.
    public func serverContext(refuse: (@Sendable (PeerIdentity) -> Bool)? = nil, handshakeTimeout: TimeAmount? = nil) throws -> TLSContext {
        var configuration = TLSConfiguration.server(
            certificateChain: .string(host.certificatePEM),
            privateKey: .string(host.privateKeyPEM),
            trustRoots: .string(authority.issued.certificatePEM)
        )
        if let handshakeTimeout { configuration.handshakeTimeout = handshakeTimeout }
        if let refuse { configuration.peerCertificateCheck = { !refuse($0) } }
        return try TLSContext(configuration: configuration)
    }

    /// A client TLS context presenting `certificate`.
    public func clientContext(_ certificate: IssuedCertificate, serverName: String = "localhost") throws -> TLSContext {
        try TLSContext(configuration: .client(
            certificateChain: .string(certificate.certificatePEM),
            privateKey: .string(certificate.privateKeyPEM),
            trustRoots: .string(authority.issued.certificatePEM),
            serverName: serverName
        ))
    }

    /// Writes the CA certificate and `certificate` with its key to a new temporary directory,
    /// as `ca.pem`, `cert.pem` and `key.pem`, for a process outside Swift.
    public func writeFiles(for certificate: IssuedCertificate) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("knock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try authority.issued.certificatePEM.write(to: directory.appendingPathComponent("ca.pem"), atomically: true, encoding: .utf8)
        try certificate.certificatePEM.write(to: directory.appendingPathComponent("cert.pem"), atomically: true, encoding: .utf8)
        try certificate.privateKeyPEM.write(to: directory.appendingPathComponent("key.pem"), atomically: true, encoding: .utf8)
        return directory
    }
}
