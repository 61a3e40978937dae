public import Foundation
public import KnockPKI

/// A host's state directory: its certificate authority, its own certificate, the
/// administrator's identity, issued and revoked certificates, and its configuration.
///
/// ```
/// <state>/knock-host.yaml         configuration (commented; environment variables override it)
/// <state>/ca/ca.pem, ca-key.pem   the deployment's CA (the key never leaves this directory)
/// <state>/host/cert.pem, key.pem  the host's server certificate
/// <state>/identities/<name>/      issued identities: cert.pem, key.pem, ca.pem, host (address)
/// <state>/issued.tsv              every certificate issued: serial, fingerprint, identity, name, expiry
/// <state>/revoked.txt             fingerprints of revoked certificates, one a line
/// ```
public struct HostState: Sendable {
    /// The directory.
    public let directory: URL

    /// A state directory at `path` (it may not exist yet).
    /// - Parameter path: The directory's path.
    public init(path: String) {
        directory = URL(fileURLWithPath: path, isDirectory: true)
    }

    /// The configuration file.
    public var configurationFile: URL { directory.appendingPathComponent("knock-host.yaml") }
    var caCertificate: URL { directory.appendingPathComponent("ca/ca.pem") }
    var caKey: URL { directory.appendingPathComponent("ca/ca-key.pem") }
    /// The host's certificate.
    public var hostCertificate: URL { directory.appendingPathComponent("host/cert.pem") }
    /// The host's private key.
    public var hostKey: URL { directory.appendingPathComponent("host/key.pem") }
    /// The CA certificate every peer trusts.
    public var caCertificatePath: String { caCertificate.path }
    var issuedLog: URL { directory.appendingPathComponent("issued.tsv") }
    /// The revocation list.
    public var revokedList: URL { directory.appendingPathComponent("revoked.txt") }
    /// The roles and scopes recorded for integrators and departments (``GrantBook``).
    public var grantsFile: URL { directory.appendingPathComponent("grants.json") }

    /// The directory of an issued identity.
    /// - Parameter name: The identity's directory name.
    public func identityDirectory(_ name: String) -> URL {
        directory.appendingPathComponent("identities/\(name)", isDirectory: true)
    }

    /// Whether the directory has been initialised.
    public var exists: Bool {
        FileManager.default.fileExists(atPath: caCertificate.path)
    }

    /// Creates the CA, the host's certificate, an administrator identity and a commented
    /// default configuration.
    /// - Parameters:
    ///   - name: The deployment's name, e.g. `工人村街`.
    ///   - hostNames: DNS names and IP addresses the host is reached at.
    ///   - address: The `host:port` clients dial, written into identities.
    /// - Returns: The administrator identity's directory.
    /// - Throws: ``PKIError`` or a file error; refuses to overwrite an existing CA.
    @discardableResult
    public func initialise(name: String, hostNames: [String], address: String) throws -> URL {
        guard !exists else {
            throw PKIError(.invalidRequest, "\(directory.path) already holds a deployment (ca/ca.pem exists); remove it or choose another --state")
        }
        let authority = try CertificateAuthority.create(name: "\(name) Knock CA", organization: name)
        try write(authority.issued.certificatePEM, to: caCertificate)
        try write(authority.issued.privateKeyPEM, to: caKey, secret: true)
        let ips = hostNames.filter { $0.contains(":") || $0.allSatisfy { $0.isNumber || $0 == "." } }
        let dns = hostNames.filter { !ips.contains($0) }
        let host = try authority.issue(commonName: "knock-host", identity: KnockIdentity(kind: .host, id: "host"), usage: .server, dnsNames: dns, ipAddresses: ips, validity: 5 * 365 * 86_400)
        try write(host.certificatePEM, to: hostCertificate)
        try write(host.privateKeyPEM, to: hostKey, secret: true)
        try record(host, name: "host")
        if !FileManager.default.fileExists(atPath: configurationFile.path) {
            try write(HostConfiguration.defaultFile(name: name, address: address), to: configurationFile)
        }
        try write("", to: revokedList)
        return try issue(identity: KnockIdentity(kind: .administrator, id: "admin"), commonName: "Administrator", address: address, serverName: dns.first ?? ips.first ?? "localhost")
    }

    /// The name clients check the host's certificate against: the one `init` chose (written
    /// into the administrator's identity), `localhost` if that cannot be read.
    public var serverName: String {
        let host = (try? String(contentsOf: identityDirectory("admin-admin").appendingPathComponent("host"), encoding: .utf8)) ?? ""
        return host.split(separator: "\n").dropFirst().first.map(String.init) ?? "localhost"
    }

    /// Issues a client certificate and writes it, the CA and the host address as an identity
    /// directory a client (`knock --identity`) or module can use.
    /// - Parameters:
    ///   - identity: Whom it is for.
    ///   - commonName: A readable name (UTF-8 welcome).
    ///   - validity: How long it is valid (default one year).
    ///   - address: The `host:port` to dial.
    ///   - serverName: The name in the host's certificate.
    ///   - grant: For an integrator or a department, its role, scope and permissions, recorded
    ///     before the certificate is issued (a certificate never works without its grant).
    /// - Returns: The identity's directory.
    /// - Throws: ``PKIError`` or a file error.
    @discardableResult
    public func issue(identity: KnockIdentity, commonName: String, validity: TimeInterval = 365 * 86_400, address: String, serverName: String, grant: AccessGrant? = nil) throws -> URL {
        let authority = try loadAuthority()
        if let grant {
            guard grant.identity == identity.uri else {
                throw PKIError(.invalidRequest, "the grant is for \(grant.identity), the certificate for \(identity.uri)")
            }
            try GrantBook.record(grant, in: grantsFile)
        }
        let issued = try authority.issue(commonName: commonName, identity: identity, usage: .client, validity: validity)
        let folder = identityDirectory("\(identity.kind.rawValue)-\(identity.id)")
        try write(issued.certificatePEM, to: folder.appendingPathComponent("cert.pem"))
        try write(issued.privateKeyPEM, to: folder.appendingPathComponent("key.pem"), secret: true)
        try write(authority.issued.certificatePEM, to: folder.appendingPathComponent("ca.pem"))
        try write("\(address)\n\(serverName)\n", to: folder.appendingPathComponent("host"))
        try record(issued, name: commonName)
        return folder
    }

    /// Issues a fresh certificate for an identity issued before, with the same name, into the
    /// same identity directory (its grant, if any, stays). The earlier certificate stays valid
    /// until it expires unless `revokeEarlier`.
    /// - Parameters:
    ///   - identity: The identity URI, `knock://member/m-0012`.
    ///   - validity: How long the new one is valid.
    ///   - address: The `host:port` to dial.
    ///   - serverName: The name in the host's certificate.
    ///   - revokeEarlier: Revoke every earlier certificate of the identity.
    /// - Returns: The identity's directory and the earlier certificates.
    /// - Throws: ``PKIError`` `invalidRequest` for an identity never issued or one revoked.
    public func renew(_ identity: String, validity: TimeInterval, address: String, serverName: String, revokeEarlier: Bool) throws -> (folder: URL, earlier: [IssuedEntry]) {
        let earlier = try issuedCertificates().filter { $0.identity == identity }
        guard let latest = earlier.last, let parsed = KnockIdentity(uri: identity) else {
            throw PKIError(.invalidRequest, "\(identity) was never issued here (see \(issuedLog.path)); issue it with issue-cert")
        }
        let revoked = Set(revokedFingerprints())
        guard !revoked.contains(latest.fingerprint) else {
            throw PKIError(.invalidRequest, "\(identity)'s certificate was revoked; issue a new identity instead of renewing it")
        }
        let folder = try issue(identity: parsed, commonName: latest.name, validity: validity, address: address, serverName: serverName)
        if revokeEarlier {
            try appendRevoked(earlier.map(\.fingerprint).filter { !revoked.contains($0) })
        }
        return (folder, earlier)
    }

    /// Adds a certificate's fingerprint to the revocation list. A running host refuses its next
    /// handshake and closes its live connections.
    /// - Parameter fingerprint: SHA-256 fingerprint (hex), or the identity URI of issued
    ///   certificates to revoke all of them.
    /// - Returns: The fingerprints revoked.
    /// - Throws: ``PKIError`` `invalidRequest` if nothing issued matches.
    @discardableResult
    public func revoke(_ fingerprintOrIdentity: String) throws -> [String] {
        let issued = try issuedCertificates()
        let matching = issued.filter { $0.fingerprint == fingerprintOrIdentity.lowercased() || $0.identity == fingerprintOrIdentity }
        guard !matching.isEmpty else {
            throw PKIError(.invalidRequest, "no issued certificate has fingerprint or identity \(fingerprintOrIdentity) (see \(issuedLog.path))")
        }
        let already = Set(revokedFingerprints())
        try appendRevoked(matching.map(\.fingerprint).filter { !already.contains($0) })
        return matching.map(\.fingerprint)
    }

    private func appendRevoked(_ fingerprints: [String]) throws {
        if !FileManager.default.fileExists(atPath: revokedList.path) { try write("", to: revokedList) }
        let handle = try FileHandle(forWritingTo: revokedList)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(fingerprints.map { $0 + "\n" }.joined().utf8))
    }

    /// The revoked fingerprints.
    public func revokedFingerprints() -> [String] {
        ((try? String(contentsOf: revokedList, encoding: .utf8)) ?? "")
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    /// One line of the issued log.
    public struct IssuedEntry: Sendable, Hashable {
        public var serial: String
        public var fingerprint: String
        public var identity: String
        public var name: String
        public var notAfter: String
    }

    /// Every certificate issued so far.
    /// - Throws: A file error.
    public func issuedCertificates() throws -> [IssuedEntry] {
        guard FileManager.default.fileExists(atPath: issuedLog.path) else { return [] }
        return try String(contentsOf: issuedLog, encoding: .utf8).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { return nil }
            return IssuedEntry(serial: fields[0], fingerprint: fields[1], identity: fields[2], name: fields[3], notAfter: fields[4])
        }
    }

    func loadAuthority() throws -> CertificateAuthority {
        guard exists else {
            throw PKIError(.invalidRequest, "\(directory.path) is not a Knock state directory; run knock-host init first")
        }
        return try CertificateAuthority(
            certificatePEM: try String(contentsOf: caCertificate, encoding: .utf8),
            privateKeyPEM: try String(contentsOf: caKey, encoding: .utf8)
        )
    }

    private func record(_ issued: IssuedCertificate, name: String) throws {
        let line = [issued.serialNumber, issued.sha256Fingerprint, issued.identity?.uri ?? "", name.replacingOccurrences(of: "\t", with: " "), ISO8601DateFormatter().string(from: issued.notAfter)].joined(separator: "\t") + "\n"
        if !FileManager.default.fileExists(atPath: issuedLog.path) { try write("", to: issuedLog) }
        let handle = try FileHandle(forWritingTo: issuedLog)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line.utf8))
    }

    private func write(_ text: String, to url: URL, secret: Bool = false) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: secret ? 0o600 : 0o644], ofItemAtPath: url.path)
    }
}
