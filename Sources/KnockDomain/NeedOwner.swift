/// Who owns a need: a grid member, a method module (e.g. `canteen`), or a government department
/// (好样的工作队).
public enum NeedOwner: Sendable, Hashable, Codable {
    case member(String)
    case module(String)
    case department(String)

    /// `member:m-12`, `module:canteen`, `department:民政局` — how it is stored and shown.
    public var text: String {
        switch self {
        case .member(let id): "member:\(id)"
        case .module(let id): "module:\(id)"
        case .department(let name): "department:\(name)"
        }
    }

    /// Reads ``text``'s form back.
    /// - Throws: ``DomainError`` `invalidArgument` if `text` is not `member:`, `module:` or
    ///   `department:` followed by a non-empty name.
    public init(text: String) throws {
        guard let colon = text.firstIndex(of: ":") else {
            throw DomainError(.invalidArgument, "owner \"\(text)\" must be member:<id>, module:<id> or department:<name>")
        }
        let kind = text[..<colon]
        let name = String(text[text.index(after: colon)...])
        guard !name.isEmpty else {
            throw DomainError(.invalidArgument, "owner \"\(text)\" names nobody")
        }
        switch kind {
        case "member": self = .member(name)
        case "module": self = .module(name)
        case "department": self = .department(name)
        default:
            throw DomainError(.invalidArgument, "owner \"\(text)\" must be member:<id>, module:<id> or department:<name>")
        }
    }
}
