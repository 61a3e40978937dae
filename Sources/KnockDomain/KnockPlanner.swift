/// Merges the day's contributions — from method modules, from the key-persons list's cadence, from
/// knocks scheduled earlier — into one ``KnockPlan`` per member (一格一组: each grid's group shares
/// its knocks).
///
/// The rules, applied per resident:
/// - **One knock per resident per day**, however many reasons. Contributions for another day are
///   ignored and counted in ``MergedPlans/ignoredOtherDays``.
/// - **Reasons** are concatenated from all contributions in order of their priority (highest first;
///   equal priorities in the order given) and de-duplicated by (why, suggested by): the same words
///   from two methods are two reasons, the same words from one method are one.
/// - **Priority** is the highest asked for, clamped to 0…100.
/// - **Channel** is the most personal asked for: door, then phone, then online. A method that needs
///   to see the resident wins over one for which a message would do.
/// - **Place** (household, grid, community) is the highest-priority contribution's.
/// - **Member**: the member named by the highest-priority contribution that names one; else the
///   member the key-persons list assigns to the resident; else the grid's default member (the first
///   of its group). A knock whose grid has no group, or an empty one, goes to
///   ``MergedPlans/unassigned`` for the community to hand out.
/// - **Order**: plans by member id; each plan's knocks (and the unassigned list) by priority
///   descending, then household id, then resident id.
///
/// Merging sorts once per resident's contributions and once per plan: O(n log n) in the number of
/// contributions.
public struct KnockPlanner: Sendable {
    /// Each grid's group, by grid id: member ids in order, the first the grid's default member.
    public var gridGroups: [String: [String]]
    /// The member the key-persons list assigns, by resident id.
    public var keyPersonMembers: [String: String]

    /// Creates a planner.
    /// - Parameters:
    ///   - gridGroups: Each grid's member ids in order; the first is the grid's default member.
    ///   - keyPersonMembers: The assigned member of each key person, by resident id.
    public init(gridGroups: [String: [String]], keyPersonMembers: [String: String] = [:]) {
        self.gridGroups = gridGroups
        self.keyPersonMembers = keyPersonMembers
    }

    /// Merges `contributions` for `day` into one plan per member.
    /// - Parameters:
    ///   - contributions: Planned knocks as methods and the core contributed them, in any order.
    ///   - day: The day planned; contributions for other days are ignored and counted.
    /// - Returns: The members' plans, the knocks no member could take, and the ignored count.
    public func merge(_ contributions: [PlannedKnock], on day: CalendarDay) -> MergedPlans {
        var groupIndex: [String: Int] = [:]
        var groups: [[Int]] = []
        var ignored = 0
        for (index, knock) in contributions.enumerated() {
            guard knock.day == day else {
                ignored += 1
                continue
            }
            if let existing = groupIndex[knock.residentID] {
                groups[existing].append(index)
            } else {
                groupIndex[knock.residentID] = groups.count
                groups.append([index])
            }
        }

        var byMember: [String: [PlannedKnock]] = [:]
        var unassigned: [PlannedKnock] = []
        for group in groups {
            let knock = merged(group.map { contributions[$0] })
            if let member = knock.memberID {
                byMember[member, default: []].append(knock)
            } else {
                unassigned.append(knock)
            }
        }
        let plans = byMember.keys.sorted().map { member in
            KnockPlan(day: day, memberID: member, knocks: byMember[member]!.sorted(by: Self.planOrder))
        }
        return MergedPlans(plans: plans, unassigned: unassigned.sorted(by: Self.planOrder), ignoredOtherDays: ignored)
    }

    /// One resident's contributions (all for the same day) as one knock, member chosen.
    private func merged(_ knocks: [PlannedKnock]) -> PlannedKnock {
        // A stable sort: equal priorities keep the order they were given in.
        let ranked = knocks.enumerated()
            .sorted { $0.element.priority != $1.element.priority ? $0.element.priority > $1.element.priority : $0.offset < $1.offset }
            .map(\.element)
        var result = ranked[0]
        result.priority = min(100, max(0, ranked[0].priority))
        result.channel = ranked.map(\.channel).min(by: { Self.personalRank($0) < Self.personalRank($1) })!

        var seen: Set<PlannedKnock.Reason> = []
        result.reasons = ranked.flatMap(\.reasons).filter { seen.insert($0).inserted }

        let named = ranked.lazy.compactMap(\.memberID).first { !$0.isEmpty }
        result.memberID = named ?? nonEmpty(keyPersonMembers[result.residentID]) ?? nonEmpty(gridGroups[result.gridID]?.first)
        return result
    }

    private func nonEmpty(_ id: String?) -> String? {
        guard let id, !id.isEmpty else { return nil }
        return id
    }

    /// 0 for the most personal channel.
    private static func personalRank(_ channel: Channel) -> Int {
        switch channel {
        case .door: 0
        case .phone: 1
        case .online: 2
        }
    }

    private static func planOrder(_ lhs: PlannedKnock, _ rhs: PlannedKnock) -> Bool {
        if lhs.priority != rhs.priority { return lhs.priority > rhs.priority }
        if lhs.householdID != rhs.householdID { return lhs.householdID < rhs.householdID }
        return lhs.residentID < rhs.residentID
    }
}
