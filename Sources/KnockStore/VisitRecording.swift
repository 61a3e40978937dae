import KnockDomain

/// What ``KnockDatabase/recordVisit(_:caller:)`` did with a visit.
public enum VisitRecording: Sendable, Hashable {
    /// The visit was new and is now stored (as returned: placed where its resident lives, its
    /// time to the millisecond).
    case recorded(Visit)
    /// The same visit was stored before (a retry): nothing was written; the stored visit.
    case duplicate(Visit)

    /// The visit as stored.
    public var visit: Visit {
        switch self {
        case .recorded(let visit), .duplicate(let visit): visit
        }
    }
}
