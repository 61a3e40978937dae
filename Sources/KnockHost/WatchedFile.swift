import Foundation
import Synchronization

/// A file the host reads again only when it has changed — its inode, size or modification time —
/// so lists reloaded twice a second (revocations, grants) cost a `stat`, not a read, while they
/// stay as they are.
final class WatchedFile: Sendable {
    private struct Version: Equatable {
        var inode: UInt64
        var size: UInt64
        var modified: Date
    }

    let url: URL
    private let seen = Mutex<Version??>(nil)

    /// Watches `url`; the first ``contentsIfChanged()`` reads it.
    init(_ url: URL) {
        self.url = url
    }

    /// The file's contents if it changed since the last call (`.some(nil)` if it is gone), or
    /// `nil` if it did not — or if it is there but cannot be read now (the next call tries again).
    func contentsIfChanged() -> Data?? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        let version = attributes.map { attributes in
            Version(
                inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0,
                size: (attributes[.size] as? NSNumber)?.uint64Value ?? 0,
                modified: attributes[.modificationDate] as? Date ?? .distantPast
            )
        }
        let unchanged = seen.withLock { seen in
            if case .some(let last) = seen { return last == version }
            return false
        }
        guard !unchanged else { return nil }
        guard version != nil else {
            seen.withLock { $0 = .some(nil) }
            return .some(nil)
        }
        guard let contents = try? Data(contentsOf: url) else { return nil }
        seen.withLock { $0 = .some(version) }
        return .some(contents)
    }
}
