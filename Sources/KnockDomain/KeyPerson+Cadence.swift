import Foundation

extension KeyPerson {
    /// Whether the resident is due a knock on `day`: never knocked, or the last knock's day plus
    /// ``cadenceDays`` is `day` or earlier. A cadence below 1 counts as daily.
    /// - Parameters:
    ///   - day: The day planned.
    ///   - timeZone: The deployment's time zone, in which the last knock's day is taken.
    public func isDue(on day: CalendarDay, timeZone: TimeZone) -> Bool {
        guard let lastKnockAt else { return true }
        return CalendarDay(containing: lastKnockAt, in: timeZone).adding(days: max(1, cadenceDays)) <= day
    }

    /// How soon in the day the cadence asks for the knock: daily 80, weekly or more often 60,
    /// else 40.
    public var cadencePriority: Int {
        switch cadenceDays {
        case ...1: 80
        case ...7: 60
        default: 40
        }
    }

    /// The core's contribution to `day`'s plan for this key person, or `nil` if not due: a door
    /// knock by the assigned member (if any), with one reason from the host such as
    /// `重点人员 每1天：独居高龄、近期出院` built from the entry's reasons.
    /// - Parameters:
    ///   - day: The day planned.
    ///   - timeZone: The deployment's time zone.
    public func plannedKnock(on day: CalendarDay, timeZone: TimeZone) -> PlannedKnock? {
        guard isDue(on: day, timeZone: timeZone) else { return nil }
        var seen: Set<String> = []
        let words = reasons.map(\.reason).filter { !$0.isEmpty && seen.insert($0).inserted }
        let why = "重点人员 每\(max(1, cadenceDays))天" + (words.isEmpty ? "" : "：" + words.joined(separator: "、"))
        return PlannedKnock(
            day: day, residentID: residentID, householdID: householdID, gridID: gridID, communityID: communityID,
            memberID: assignedMemberID, channel: .door, priority: cadencePriority,
            reasons: [PlannedKnock.Reason(why: why, suggestedBy: .host)]
        )
    }
}
