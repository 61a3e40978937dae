/// The restart decisions of one supervised process, as a pure state machine: told how long the
/// process was up each time it exits, it answers how long to wait before the next start, or
/// that the policy's limit is reached.
struct BackoffSchedule: Sendable {
    /// What to do after an exit.
    enum Decision: Hashable, Sendable {
        /// Start the process again after this wait.
        case restart(after: Duration)
        /// Stop restarting: this many restarts in a row did not make the process stay up.
        case giveUp(consecutiveRestarts: Int)
    }

    let policy: SupervisedProcess.RestartPolicy
    /// The wait the next restart will use.
    private(set) var nextDelay: Duration
    /// Restarts since the process last stayed up for the stable period (or since a reset).
    private(set) var consecutiveRestarts = 0

    init(policy: SupervisedProcess.RestartPolicy) {
        self.policy = policy
        self.nextDelay = policy.initialBackoff
    }

    /// Decides what follows an exit.
    /// - Parameter uptime: How long the process was up before it exited.
    mutating func processExited(afterRunningFor uptime: Duration) -> Decision {
        if uptime >= policy.stablePeriod {
            reset()
        }
        if let limit = policy.maximumConsecutiveRestarts, consecutiveRestarts >= limit {
            return .giveUp(consecutiveRestarts: consecutiveRestarts)
        }
        let delay = nextDelay
        nextDelay = min(delay.scaled(by: policy.multiplier), policy.maximumBackoff)
        consecutiveRestarts += 1
        return .restart(after: delay)
    }

    /// Starts over, as after a stable run or an operator's restart.
    mutating func reset() {
        nextDelay = policy.initialBackoff
        consecutiveRestarts = 0
    }
}

extension Duration {
    /// This duration times `factor`, saturating instead of overflowing.
    func scaled(by factor: Double) -> Duration {
        let (seconds, attoseconds) = components
        let scaled = (Double(seconds) + Double(attoseconds) * 1e-18) * factor
        // Past roughly 292 years a Duration's nanoseconds no longer fit; no backoff needs that.
        guard scaled.isFinite, scaled < 9e9 else {
            return .seconds(9_000_000_000)
        }
        return .seconds(scaled)
    }
}
