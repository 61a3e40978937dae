/// One member's knocks for one day, most urgent first.
public struct KnockPlan: Sendable, Hashable, Codable {
    public var day: CalendarDay
    public var memberID: String
    public var knocks: [PlannedKnock]

    /// Creates a plan.
    public init(day: CalendarDay, memberID: String, knocks: [PlannedKnock]) {
        self.day = day
        self.memberID = memberID
        self.knocks = knocks
    }
}
