/// How a knock reached the resident.
public enum Channel: String, Sendable, Hashable, CaseIterable, Codable {
    /// 上门敲: at the door.
    case door
    /// 网上敲: online (WeChat group, mini-program).
    case online
    /// By phone.
    case phone
}
