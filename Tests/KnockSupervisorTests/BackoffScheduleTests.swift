import Testing

@testable import KnockSupervisor

@Suite("Backoff schedule")
struct BackoffScheduleTests {
    let policy = SupervisedProcess.RestartPolicy(
        initialBackoff: .milliseconds(100),
        multiplier: 2,
        maximumBackoff: .milliseconds(700),
        stablePeriod: .seconds(10)
    )

    @Test("delays double from the initial backoff up to the maximum")
    func delaysGrowToTheMaximum() {
        var schedule = BackoffSchedule(policy: policy)
        let delays = (0..<6).map { _ in schedule.processExited(afterRunningFor: .milliseconds(5)) }
        #expect(
            delays == [100, 200, 400, 700, 700, 700].map { .restart(after: .milliseconds($0)) }
        )
        #expect(schedule.consecutiveRestarts == 6)
    }

    @Test("a run as long as the stable period starts the backoff over")
    func stableRunResetsTheBackoff() {
        var schedule = BackoffSchedule(policy: policy)
        _ = schedule.processExited(afterRunningFor: .zero)
        _ = schedule.processExited(afterRunningFor: .zero)
        #expect(schedule.processExited(afterRunningFor: .seconds(9)) == .restart(after: .milliseconds(400)))
        #expect(schedule.processExited(afterRunningFor: .seconds(10)) == .restart(after: .milliseconds(100)))
        #expect(schedule.consecutiveRestarts == 1)
    }

    @Test("the schedule gives up after the allowed restarts in a row")
    func givesUpAtTheLimit() {
        var limited = policy
        limited.maximumConsecutiveRestarts = 2
        var schedule = BackoffSchedule(policy: limited)
        #expect(schedule.processExited(afterRunningFor: .zero) == .restart(after: .milliseconds(100)))
        #expect(schedule.processExited(afterRunningFor: .zero) == .restart(after: .milliseconds(200)))
        #expect(schedule.processExited(afterRunningFor: .zero) == .giveUp(consecutiveRestarts: 2))
        schedule.reset()
        #expect(schedule.processExited(afterRunningFor: .zero) == .restart(after: .milliseconds(100)))
    }

    @Test("a fractional multiplier and a huge backoff do not overflow")
    func scalingSaturates() {
        let scaled = Duration.milliseconds(100).scaled(by: 1.5)
        #expect(scaled > .microseconds(149_999) && scaled < .microseconds(150_001))
        #expect(Duration.seconds(Int64.max / 2).scaled(by: 4) == .seconds(9_000_000_000))
    }
}
