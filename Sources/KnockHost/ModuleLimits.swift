/// How long the host waits for a module at each strategy point. A module that takes longer
/// loses its contribution to that call; the host's answer is not delayed beyond the limit.
public struct ModuleLimits: Sendable, Hashable {
    /// Time limit to assess one visit.
    public var assess: Duration
    /// Time limit to contribute to one day's plan.
    public var plan: Duration
    /// Time limit to handle one event.
    public var handle: Duration

    /// Creates limits.
    /// - Parameters:
    ///   - assess: Per visit (default 2 s).
    ///   - plan: Per plan (default 10 s).
    ///   - handle: Per event (default 2 s).
    public init(assess: Duration = .seconds(2), plan: Duration = .seconds(10), handle: Duration = .seconds(2)) {
        self.assess = assess
        self.plan = plan
        self.handle = handle
    }
}
