import Testing

@testable import KnockSupervisor

@Suite("Output pacer")
struct OutputPacerTests {
    let start = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant {
        start.advanced(by: .milliseconds(milliseconds))
    }

    @Test("a second's worth of lines passes at once; more waits in proportion")
    func burstThenWait() {
        var pacer = OutputPacer(linesPerSecond: 100, now: at(0))
        #expect(pacer.pause(afterLogging: 100, at: at(0)) == .zero)
        #expect(pacer.pause(afterLogging: 50, at: at(0)) == .milliseconds(500))
        // After the wait the allowance is back to zero; a quiet second refills it.
        #expect(pacer.pause(afterLogging: 0, at: at(500)) == .zero)
        #expect(pacer.pause(afterLogging: 100, at: at(1500)) == .zero)
        #expect(pacer.pause(afterLogging: 10, at: at(1500)) == .milliseconds(100))
    }

    @Test("one wait is never longer than a second")
    func waitIsCapped() {
        var pacer = OutputPacer(linesPerSecond: 100, now: at(0))
        #expect(pacer.pause(afterLogging: 10_000, at: at(0)) == .seconds(1))
        // The debt beyond a second is forgiven: after that second the stream may go on.
        #expect(pacer.pause(afterLogging: 0, at: at(1000)) == .zero)
    }
}
