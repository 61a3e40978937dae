/// Where PEM text comes from: a file on disk, or bytes already in memory.
///
/// The host issues certificates itself, so every piece of a ``TLSConfiguration`` can be given
/// either way. A source holding a private key never prints its bytes.
public struct PEMSource: Sendable, Hashable {
    enum Storage: Sendable, Hashable {
        case file(path: String)
        case memory(bytes: [UInt8])
    }

    let storage: Storage

    /// PEM text read from a file when the ``TLSContext`` is created.
    /// - Parameters:
    ///   - path: The file's path.
    public static func file(_ path: String) -> PEMSource {
        PEMSource(storage: .file(path: path))
    }

    /// PEM text already in memory.
    /// - Parameters:
    ///   - pem: The PEM bytes (`-----BEGIN ...`), one or more blocks.
    public static func bytes(_ pem: [UInt8]) -> PEMSource {
        PEMSource(storage: .memory(bytes: pem))
    }

    /// PEM text already in memory, as a string.
    /// - Parameters:
    ///   - pem: The PEM text (`-----BEGIN ...`), one or more blocks.
    public static func string(_ pem: String) -> PEMSource {
        PEMSource(storage: .memory(bytes: Array(pem.utf8)))
    }
}

extension PEMSource: CustomStringConvertible {
    /// The file path, or only the size of in-memory PEM: a private key's bytes are never printed.
    public var description: String {
        switch self.storage {
        case .file(let path): "PEM file \(path)"
        case .memory(let bytes): "PEM in memory (\(bytes.count) bytes)"
        }
    }
}
