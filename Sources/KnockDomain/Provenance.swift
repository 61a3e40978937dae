/// Who caused a change, for the record: a member, an administrator, a method module, an
/// integrator, a department or the host.
public enum Provenance: Sendable, Hashable, Codable {
    case member(String)
    case administrator(String)
    case module(String)
    case integrator(String)
    /// A government department (好样的工作队) answering through the RPC.
    case department(String)
    case host

    /// `member:m-12`, `admin:chen`, `module:daily-knock`, `integrator:hospital`,
    /// `department:minzheng`, `host`.
    public var text: String {
        switch self {
        case .member(let id): "member:\(id)"
        case .administrator(let id): "admin:\(id)"
        case .module(let id): "module:\(id)"
        case .integrator(let id): "integrator:\(id)"
        case .department(let id): "department:\(id)"
        case .host: "host"
        }
    }

    /// Reads ``text``'s form back; anything unrecognised is `nil`.
    public init?(text: String) {
        if text == "host" {
            self = .host
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let name = String(text[text.index(after: colon)...])
        guard !name.isEmpty else { return nil }
        switch text[..<colon] {
        case "member": self = .member(name)
        case "admin": self = .administrator(name)
        case "module": self = .module(name)
        case "integrator": self = .integrator(name)
        case "department": self = .department(name)
        default: return nil
        }
    }
}
