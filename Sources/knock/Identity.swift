import Foundation
import KnockRPC
import KnockTLS

/// A client identity directory as `knock-host issue-cert` writes it: `cert.pem`, `key.pem`,
/// `ca.pem` and `host` (the address to dial and the host's certificate name).
struct Identity {
    let directory: URL
    let address: String
    let serverName: String

    init(path: String) throws {
        directory = URL(fileURLWithPath: path, isDirectory: true)
        for file in ["cert.pem", "key.pem", "ca.pem"] where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path) {
            throw CLIError("\(path) is not an identity directory: \(file) is missing (knock-host issue-cert writes one; knock-host init writes the administrator's)")
        }
        let host = (try? String(contentsOf: directory.appendingPathComponent("host"), encoding: .utf8)) ?? ""
        let lines = host.split(separator: "\n").map(String.init)
        address = lines.first ?? "127.0.0.1:7443"
        serverName = lines.count > 1 ? lines[1] : "localhost"
    }

    /// Dials the host with this identity.
    func connect(override: String?) async throws -> RPCConnection {
        let target = override ?? address
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else {
            throw CLIError("\(target) is not host:port")
        }
        let host = String(target[..<colon])
        let tls: TLSContext
        do {
            tls = try TLSContext(configuration: .client(
                certificateChain: .file(directory.appendingPathComponent("cert.pem").path),
                privateKey: .file(directory.appendingPathComponent("key.pem").path),
                trustRoots: .file(directory.appendingPathComponent("ca.pem").path),
                serverName: serverName
            ))
        } catch {
            throw CLIError("cannot load the identity in \(directory.path): \(error)")
        }
        do {
            return try await RPCConnection.connect(to: host, port: port, tls: tls, serverName: serverName,
                                                    configuration: ConnectionConfiguration(keepaliveInterval: nil, helloTimeout: .seconds(5)))
        } catch let error as RPCError {
            throw CLIError("cannot connect to \(target) as \(directory.lastPathComponent): \(error.message)\n(hint: a refused certificate means it is revoked, expired, or from another deployment)")
        }
    }
}

/// An error the CLI prints as one helpful line and exits 1 for.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
