import Foundation
import PostgresNIO

/// A PostgreSQL URL taken apart: `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=…&schema=…`.
///
/// The query items follow libpq's meaning where they share a name, so a URL that works with
/// `psql` works here.
struct PostgresURL: Sendable {
    /// How the connection is encrypted, as libpq's `sslmode`.
    enum SSLMode: String, Sendable {
        case disable
        case allow
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String?
    var sslMode: SSLMode
    /// PEM file of the certificate authorities that sign the server's certificate (`sslrootcert`);
    /// the system's trust roots when `nil`.
    var rootCertificatePath: String?
    /// The schema for Knock's tables (`schema`), or `nil` for the user's default search path.
    var schema: String?

    /// The longest schema name PostgreSQL keeps (NAMEDATALEN - 1).
    static let maximumSchemaLength = 63

    /// Parses `url`.
    /// - Throws: ``StoreError`` `invalidArgument` naming the part at fault (never the password).
    init(parsing url: String) throws {
        let shown = Self.redacting(url)
        func invalid(_ why: String) -> StoreError {
            StoreError(code: .invalidArgument, message: "PostgreSQL URL \(shown): \(why)")
        }
        guard let components = URLComponents(string: url) else {
            throw invalid("not a URL")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw invalid("the scheme must be postgres:// or postgresql://")
        }
        guard let host = components.host, !host.isEmpty else {
            throw invalid("no host")
        }
        guard let username = components.user, !username.isEmpty else {
            throw invalid("no user name")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username
        self.password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? nil : path
        self.sslMode = .prefer
        self.rootCertificatePath = nil
        self.schema = nil
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name.lowercased() {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value.lowercased()) else {
                    throw invalid("sslmode \(value) is none of disable, allow, prefer, require, verify-ca, verify-full")
                }
                sslMode = mode
            case "sslrootcert":
                rootCertificatePath = value
            case "schema":
                guard Self.isPlainIdentifier(value) else {
                    throw invalid("schema \(value) must be 1 to \(Self.maximumSchemaLength) letters, digits or _, not starting with a digit")
                }
                schema = value
            default:
                throw invalid("unknown query item \(item.name) (known: sslmode, sslrootcert, schema)")
            }
        }
    }

    /// Whether and how to encrypt, as libpq reads ``sslMode``: `prefer` and `require` encrypt
    /// without checking the server's certificate, `verify-ca` checks it against the trust roots,
    /// `verify-full` checks the host name too. `nil` for no encryption.
    private func tlsConfiguration() -> (required: Bool, configuration: TLSConfiguration)? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let rootCertificatePath {
            configuration.trustRoots = .file(rootCertificatePath)
        }
        switch sslMode {
        case .disable:
            return nil
        case .allow, .prefer:
            configuration.certificateVerification = .none
            return (false, configuration)
        case .require:
            configuration.certificateVerification = .none
            return (true, configuration)
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
            return (true, configuration)
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
            return (true, configuration)
        }
    }

    /// The settings of one connection (the store opens one to apply migrations).
    /// - Throws: NIOSSL's error if the TLS settings cannot be made (an unreadable `sslrootcert`).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch tlsConfiguration() {
        case nil: tls = .disable
        case let (required, configuration)?:
            let context = try NIOSSLContext(configuration: configuration)
            tls = required ? .require(context) : .prefer(context)
        }
        var result = PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        result.options.additionalStartupParameters = startupParameters
        return result
    }

    /// The settings of the connection pool.
    /// - Parameter maximumConnections: The most connections the pool opens.
    func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch tlsConfiguration() {
        case nil: tls = .disable
        case let (required, configuration)?: tls = required ? .require(configuration) : .prefer(configuration)
        }
        var result = PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        result.options.additionalStartupParameters = startupParameters
        result.options.maximumConnections = maximumConnections
        return result
    }

    /// Settings sent when each connection starts: the search path, when a schema is chosen.
    var startupParameters: [(String, String)] {
        guard let schema else { return [] }
        return [("search_path", "\"\(schema)\"")]
    }

    /// `url` with its password replaced by `***`, for logs and errors.
    static func redacting(_ url: String) -> String {
        guard var components = URLComponents(string: url) else {
            return "(an unreadable URL)"
        }
        if components.password != nil {
            components.password = "***"
        }
        return components.string ?? "(an unreadable URL)"
    }

    /// Whether `name` is a schema name that needs no quoting rules: ASCII letters, digits and `_`,
    /// not starting with a digit, 1 to 63 bytes.
    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= maximumSchemaLength else { return false }
        func isLetter(_ byte: UInt8) -> Bool { (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F }
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        return isLetter(first) && name.utf8.allSatisfy { isLetter($0) || isDigit($0) }
    }
}
