/// Where a need is in its lifecycle: open → assigned → in progress → resolved → followed up, or
/// declined. ``NeedLifecycle`` says which steps are allowed.
public enum NeedStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Raised, nobody owns it yet.
    case open
    /// Someone owns it.
    case assigned
    /// The owner is working on it.
    case inProgress = "in-progress"
    /// Done, awaiting the follow-up visit (回访).
    case resolved
    /// Followed up and closed, with the resident's satisfaction.
    case followedUp = "followed-up"
    /// Not taken on, with a reason.
    case declined

    /// Whether the need still counts as work to do (and can be overdue).
    public var isActive: Bool {
        switch self {
        case .open, .assigned, .inProgress: true
        case .resolved, .followedUp, .declined: false
        }
    }
}
