/// What ``KnockPlanner`` made of a day's contributions.
public struct MergedPlans: Sendable, Hashable {
    /// One plan per member with knocks that day, ordered by member id.
    public var plans: [KnockPlan]
    /// Merged knocks whose grid has no member to take them, most urgent first: the community hands
    /// them out.
    public var unassigned: [PlannedKnock]
    /// Contributions for another day than the one planned, left out.
    public var ignoredOtherDays: Int

    /// Creates a result.
    /// - Parameters:
    ///   - plans: The members' plans.
    ///   - unassigned: Knocks no member could take.
    ///   - ignoredOtherDays: How many contributions were for another day.
    public init(plans: [KnockPlan], unassigned: [PlannedKnock], ignoredOtherDays: Int) {
        self.plans = plans
        self.unassigned = unassigned
        self.ignoredOtherDays = ignoredOtherDays
    }

    /// Every merged knock, assigned or not.
    public var knockCount: Int {
        plans.reduce(unassigned.count) { $0 + $1.knocks.count }
    }
}
