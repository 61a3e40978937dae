import Foundation
import Synchronization

/// The grants the host recorded for integrators and departments (``AccessGrant``), kept in the
/// state directory's `grants.json` so `knock-host issue-cert` run beside a live host takes effect
/// within a second (the host reloads it with the revocation list).
public final class GrantBook: Sendable {
    private let grants = Mutex<[String: AccessGrant]>([:])
    private let file: WatchedFile

    /// A book backed by `file`; a missing file holds no grants.
    public init(file: URL) {
        self.file = WatchedFile(file)
        reload()
    }

    /// The grant recorded for `identity` (`knock://integrator/hospital-a`), if any.
    public func grant(for identity: String) -> AccessGrant? {
        grants.withLock { $0[identity] }
    }

    /// Reads the file again if it changed. A file that cannot be read keeps the grants already
    /// loaded (the host goes on; `record` refuses to write over a damaged file).
    public func reload() {
        guard let contents = file.contentsIfChanged(), let loaded = try? Self.decode(contents) else { return }
        grants.withLock { $0 = loaded }
    }

    /// Records `grant` in `file`, replacing an earlier grant for the same identity.
    /// - Throws: A file error, or a decoding error if the file is damaged.
    public static func record(_ grant: AccessGrant, in file: URL) throws {
        var all = try read(file)
        all[grant.identity] = grant
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(all).write(to: file, options: .atomic)
    }

    private static func read(_ file: URL) throws -> [String: AccessGrant] {
        try decode(FileManager.default.fileExists(atPath: file.path) ? Data(contentsOf: file) : nil)
    }

    /// The grants in a file's contents; none for a file that is not there.
    private static func decode(_ contents: Data?) throws -> [String: AccessGrant] {
        guard let contents else { return [:] }
        return try JSONDecoder().decode([String: AccessGrant].self, from: contents)
    }
}
