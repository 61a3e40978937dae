/// Keeps the lines logged from one output stream under a rate, as a pure token bucket: told how
/// many lines were just logged, it answers how long to wait before reading more.
///
/// Waiting rather than dropping means no line is lost: while the reader waits the pipe fills,
/// and the process that floods it is slowed down in its own writes, not the host. Up to one
/// second's worth of lines passes at once, so ordinary bursts (a start-up banner, a stack trace)
/// are never held up. One wait is never longer than a second, so that a flooding process that
/// exits is noticed soon: the lines of one read beyond that debt are let through (at most one
/// pipe's worth per second).
struct OutputPacer: Sendable {
    let linesPerSecond: Double
    /// Lines that may still be logged at once; negative when the stream is ahead of its rate.
    private var allowance: Double
    private var lastUpdate: ContinuousClock.Instant

    /// - Parameters:
    ///   - linesPerSecond: The rate; at least 1.
    ///   - now: The current instant.
    init(linesPerSecond: Int, now: ContinuousClock.Instant) {
        precondition(linesPerSecond >= 1, "linesPerSecond must be at least 1")
        self.linesPerSecond = Double(linesPerSecond)
        self.allowance = Double(linesPerSecond)
        self.lastUpdate = now
    }

    /// Records lines just logged and says how long to wait before reading on.
    mutating func pause(afterLogging lines: Int, at now: ContinuousClock.Instant) -> Duration {
        let elapsed = max((now - lastUpdate).timeInterval, 0)
        lastUpdate = now
        allowance = max(min(linesPerSecond, allowance + elapsed * linesPerSecond) - Double(lines), -linesPerSecond)
        guard allowance < 0 else {
            return .zero
        }
        return .seconds(-allowance / linesPerSecond)
    }
}
