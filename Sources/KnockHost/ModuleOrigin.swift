
/// Where a module runs, as the host sees it.
public enum ModuleOrigin: Sendable, Hashable {
    /// Linked into the host (a target under Plugins/): its strategy points called directly, its
    /// own methods over an in-process connection.
    case builtIn
    /// Its own process, dialed in with its own certificate.
    case remote(subject: String, fingerprint: String)

    /// "built-in" or "remote".
    public var label: String {
        switch self {
        case .builtIn: "built-in"
        case .remote: "remote"
        }
    }
}
