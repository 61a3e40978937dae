import Foundation
public import KnockTLS
import Synchronization

/// The fingerprints of revoked certificates, as the TLS handshake and the live connections see
/// them. Reloaded from the state directory's list so `knock-host revoke-cert` takes effect on a
/// running host.
public final class RevocationList: Sendable {
    private let fingerprints = Mutex<Set<String>>([])
    private let file: WatchedFile

    /// A list backed by `file` (one fingerprint a line).
    /// - Parameter file: The revocation list.
    public init(file: URL) {
        self.file = WatchedFile(file)
        _ = reload()
    }

    /// Whether `peer`'s certificate is revoked. Called during every handshake: a set lookup.
    /// - Parameter peer: A verified peer certificate.
    public func isRevoked(_ peer: PeerIdentity) -> Bool {
        fingerprints.withLock { $0.contains(peer.sha256Fingerprint) }
    }

    /// Reads the file again if it changed.
    /// - Returns: The fingerprints added since the last read.
    @discardableResult
    public func reload() -> Set<String> {
        guard let contents = file.contentsIfChanged() else { return [] }
        let text = contents.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let current = Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
        return fingerprints.withLock { known in
            let added = current.subtracting(known)
            known = current
            return added
        }
    }
}
