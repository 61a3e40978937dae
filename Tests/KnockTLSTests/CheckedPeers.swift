import KnockTLS
import Synchronization

/// Identities a `peerCertificateCheck` was asked about.
final class CheckedPeers: Sendable {
    private let peers = Mutex<[PeerIdentity]>([])

    func record(_ peer: PeerIdentity) {
        self.peers.withLock { $0.append(peer) }
    }

    var all: [PeerIdentity] { self.peers.withLock { $0 } }
}
