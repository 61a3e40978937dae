/// How well a grid is covered over a span of days: households, planned against done knocks,
/// needs opened, resolved and overdue, time to resolve and satisfaction.
public struct GridCoverage: Sendable, Hashable, Codable {
    public var gridID: String
    public var households: Int
    /// Households with at least one visit in the span.
    public var householdsVisited: Int
    public var plannedKnocks: Int
    /// Visits recorded in the span, by channel.
    public var doneKnocks: [Channel: Int]
    public var needsOpened: Int
    public var needsResolved: Int
    /// Active needs past their due time at the end of the span.
    public var needsOverdue: Int
    /// Mean hours from raised to resolved, over needs resolved in the span; `nil` if none.
    public var meanHoursToResolve: Double?
    /// Mean satisfaction (1–5) recorded at follow-ups in the span; `nil` if none.
    public var meanSatisfaction: Double?

    /// Visits in the span, all channels.
    public var totalDoneKnocks: Int { doneKnocks.values.reduce(0, +) }

    /// Creates a coverage row.
    public init(
        gridID: String, households: Int, householdsVisited: Int, plannedKnocks: Int, doneKnocks: [Channel: Int],
        needsOpened: Int, needsResolved: Int, needsOverdue: Int, meanHoursToResolve: Double?, meanSatisfaction: Double?
    ) {
        self.gridID = gridID
        self.households = households
        self.householdsVisited = householdsVisited
        self.plannedKnocks = plannedKnocks
        self.doneKnocks = doneKnocks
        self.needsOpened = needsOpened
        self.needsResolved = needsResolved
        self.needsOverdue = needsOverdue
        self.meanHoursToResolve = meanHoursToResolve
        self.meanSatisfaction = meanSatisfaction
    }
}
