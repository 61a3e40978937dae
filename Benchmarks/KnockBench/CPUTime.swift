#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// CPU time, to see where the time of a cell goes whatever else the machine runs: calls/s on a
/// shared machine vary with the other load, CPU µs per call much less.
struct CPUTime {
    /// CPU time of the host's event-loop thread.
    var hostThread: Duration
    /// CPU time of the whole process (host, clients, Swift's global executor).
    var process: Duration

    static func now(_ clock: clockid_t) -> Duration {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
    }

    /// Samples the CPU time at `deadline`, on the host's event loop (whose thread's time it
    /// reads).
    static func sample(hostLoop: any EventLoop, at deadline: NIODeadline) -> EventLoopFuture<CPUTime> {
        hostLoop.scheduleTask(deadline: deadline) {
            CPUTime(hostThread: now(CLOCK_THREAD_CPUTIME_ID), process: now(CLOCK_PROCESS_CPUTIME_ID))
        }.futureResult
    }

    /// The CPU time spent between two samples.
    static func - (end: CPUTime, start: CPUTime) -> CPUTime {
        CPUTime(hostThread: end.hostThread - start.hostThread, process: end.process - start.process)
    }
}
