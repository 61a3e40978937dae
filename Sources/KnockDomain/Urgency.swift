/// How urgent a need or alert is; decides due times and the order of work.
public enum Urgency: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case low
    case normal
    case high
    /// 随时敲: now.
    case critical

    private var rank: Int {
        switch self {
        case .low: 0
        case .normal: 1
        case .high: 2
        case .critical: 3
        }
    }

    /// Less urgent orders first: `.low < .critical`.
    public static func < (lhs: Urgency, rhs: Urgency) -> Bool {
        lhs.rank < rhs.rank
    }
}
