public import KnockDomain

/// A day's plan as ``CommunityService/assemblePlan(day:caller:)`` makes it: merged per member,
/// with the members of the scope and the methods that could not contribute.
public struct AssembledPlan: Sendable {
    /// One plan per member, and the knocks of grids without a member.
    public var merged: MergedPlans
    /// The members of the caller's scope.
    public var members: [Member]
    /// The methods that failed or timed out.
    public var failures: [ModuleFailure]
}
