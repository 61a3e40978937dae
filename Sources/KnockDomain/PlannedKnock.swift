/// A knock on the day's plan: whom, by whom, how, why and how soon. One planned knock may serve
/// several reasons (一次敲门, 多个事由).
public struct PlannedKnock: Sendable, Hashable, Codable {
    public var day: CalendarDay
    public var residentID: String
    public var householdID: String
    public var gridID: String
    public var communityID: String
    /// The member who knocks; `nil` until the planner assigns the grid's member.
    public var memberID: String?
    public var channel: Channel
    /// 0 (whenever) to 100 (first thing).
    public var priority: Int
    /// Every reason, each with who asked for it (a method, the key-persons list, a member).
    public var reasons: [Reason]

    /// One reason for a knock.
    public struct Reason: Sendable, Hashable, Codable {
        /// In words a grid member understands: 出院第3天，每日探访.
        public var why: String
        public var suggestedBy: Provenance

        /// Creates a reason.
        public init(why: String, suggestedBy: Provenance) {
            self.why = why
            self.suggestedBy = suggestedBy
        }
    }

    /// Creates a planned knock.
    public init(
        day: CalendarDay, residentID: String, householdID: String, gridID: String, communityID: String,
        memberID: String? = nil, channel: Channel, priority: Int, reasons: [Reason]
    ) {
        self.day = day
        self.residentID = residentID
        self.householdID = householdID
        self.gridID = gridID
        self.communityID = communityID
        self.memberID = memberID
        self.channel = channel
        self.priority = priority
        self.reasons = reasons
    }
}
