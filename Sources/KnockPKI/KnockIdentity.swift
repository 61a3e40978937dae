/// Who a certificate speaks for, as its URI subject alternative name says:
/// `knock://<kind>/<id>`, e.g. `knock://member/m-0012` or `knock://module/canteen`.
public struct KnockIdentity: Hashable, Sendable, CustomStringConvertible {
    /// The kind of party.
    public struct Kind: RawRepresentable, Hashable, Sendable {
        /// The kind as written in the URI.
        public var rawValue: String

        /// Creates a kind.
        /// - Parameter rawValue: The kind as written in the URI.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The host itself (its server certificate).
        public static let host = Kind(rawValue: "host")
        /// A person administering the deployment.
        public static let administrator = Kind(rawValue: "admin")
        /// A grid member or community staff member, through an app or the CLI.
        public static let member = Kind(rawValue: "member")
        /// A door-knocking method module running as its own process.
        public static let module = Kind(rawValue: "module")
        /// Another system calling the RPC (a hospital feed, the 12345 hotline).
        public static let integrator = Kind(rawValue: "integrator")
        /// A government department answering task-force needs.
        public static let department = Kind(rawValue: "department")
    }

    /// The kind of party.
    public var kind: Kind
    /// Its id within the kind: lowercase letters, digits, `-`, `_`, `.`.
    public var id: String

    /// Creates an identity.
    /// - Parameters:
    ///   - kind: The kind of party.
    ///   - id: Its id.
    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    /// Reads an identity from a `knock://kind/id` URI.
    /// - Parameter uri: The URI.
    /// - Returns: `nil` if the URI is not of that form.
    public init?(uri: String) {
        guard uri.hasPrefix("knock://") else { return nil }
        let parts = uri.dropFirst("knock://".count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, KnockIdentity.isValidID(String(parts[1])) else { return nil }
        self.init(kind: Kind(rawValue: String(parts[0])), id: String(parts[1]))
    }

    /// The identity as a URI.
    public var uri: String { "knock://\(kind.rawValue)/\(id)" }

    public var description: String { uri }

    /// Whether `id` is usable in an identity: 1 to 128 of `a-z 0-9 - _ .`.
    /// - Parameter id: A candidate id.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }
}
