extension SupervisedProcess {
    /// When a process that exited is started again: exponential backoff, reset after the
    /// process stayed up for a while, and an optional limit after which the supervisor gives up.
    ///
    /// The first restart after a crash waits ``initialBackoff``; each further one waits
    /// ``multiplier`` times longer, up to ``maximumBackoff``. A process that ran for at least
    /// ``stablePeriod`` before it exited counts as having recovered: the wait starts again from
    /// ``initialBackoff`` and the count of consecutive restarts from zero. Any exit counts,
    /// status 0 too: a supervised module is meant to run until it is told to stop.
    public struct RestartPolicy: Sendable, Hashable {
        /// The wait before the first restart after a crash. Must be positive.
        public var initialBackoff: Duration
        /// How much longer each further wait is. At least 1.
        public var multiplier: Double
        /// The longest wait. At least ``initialBackoff``.
        public var maximumBackoff: Duration
        /// How long a process must stay up for its next exit to count as a fresh failure rather
        /// than one more in a row. Must not be negative.
        public var stablePeriod: Duration
        /// After this many restarts in a row without the process staying up for
        /// ``stablePeriod``, the supervisor stops restarting it and reports it as failed; `nil`
        /// (the default) never gives up. Must not be negative.
        public var maximumConsecutiveRestarts: Int?

        /// Creates a restart policy.
        /// - Parameters:
        ///   - initialBackoff: The first wait; 100 ms by default.
        ///   - multiplier: How much longer each further wait is; 2 by default.
        ///   - maximumBackoff: The longest wait; 30 s by default.
        ///   - stablePeriod: The uptime after which the backoff resets; 10 s by default.
        ///   - maximumConsecutiveRestarts: The restarts in a row before giving up; `nil` for never.
        public init(
            initialBackoff: Duration = .milliseconds(100),
            multiplier: Double = 2,
            maximumBackoff: Duration = .seconds(30),
            stablePeriod: Duration = .seconds(10),
            maximumConsecutiveRestarts: Int? = nil
        ) {
            self.initialBackoff = initialBackoff
            self.multiplier = multiplier
            self.maximumBackoff = maximumBackoff
            self.stablePeriod = stablePeriod
            self.maximumConsecutiveRestarts = maximumConsecutiveRestarts
        }

        /// The reason this policy cannot be used, or `nil` when it can.
        var problem: String? {
            if initialBackoff <= .zero {
                return "initialBackoff must be positive"
            }
            if !(multiplier >= 1) || !multiplier.isFinite {
                return "multiplier must be a finite number of at least 1"
            }
            if maximumBackoff < initialBackoff {
                return "maximumBackoff must be at least initialBackoff"
            }
            if stablePeriod < .zero {
                return "stablePeriod must not be negative"
            }
            if let limit = maximumConsecutiveRestarts, limit < 0 {
                return "maximumConsecutiveRestarts must not be negative"
            }
            return nil
        }
    }
}
