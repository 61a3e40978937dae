public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Waits for a child process to end without `Process.waitUntilExit()`.
///
/// Foundation learns of a child's exit through SIGCHLD; swift-subprocess (under KnockSupervisor)
/// installs its own SIGCHLD handler, and a test process running supervisor tests alongside
/// process tests can then leave `waitUntilExit()` spinning forever on a child long gone. This
/// waits with `waitpid(pid, WNOHANG)` itself, and falls back to Foundation's record when someone
/// else reaped the child first.
public enum ProcessExit {
    /// How a child ended.
    public enum Status: Sendable, Hashable {
        case exited(Int32)
        case signalled(Int32)
        /// Reaped by someone else before its status could be read.
        case unknown
    }

    /// Waits up to `timeout` (blocking this thread); `nil` if it is still running then.
    public static func waitBlocking(_ process: Process, timeout: Duration = .seconds(120)) -> Status? {
        let deadline = ContinuousClock.now + timeout
        var reapedElsewhereSince: ContinuousClock.Instant?
        while ContinuousClock.now < deadline {
            if let status = poll(process, reapedElsewhereSince: &reapedElsewhereSince) { return status }
            usleep(10_000)
        }
        return nil
    }

    /// Waits up to `timeout` without holding a thread; `nil` if it is still running then.
    public static func wait(_ process: Process, timeout: Duration = .seconds(120)) async -> Status? {
        let deadline = ContinuousClock.now + timeout
        var reapedElsewhereSince: ContinuousClock.Instant?
        while ContinuousClock.now < deadline {
            if let status = poll(process, reapedElsewhereSince: &reapedElsewhereSince) { return status }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    private static func poll(_ process: Process, reapedElsewhereSince: inout ContinuousClock.Instant?) -> Status? {
        var status: Int32 = 0
        let result = waitpid(process.processIdentifier, &status, WNOHANG)
        if result == process.processIdentifier {
            let signal = status & 0x7F
            return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
        }
        guard result == -1, errno == ECHILD else { return nil }
        // Someone else reaped it: Foundation's own monitor (then it records the status) or
        // another SIGCHLD handler (then nobody will).
        if !process.isRunning {
            return process.terminationReason == .uncaughtSignal ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
        }
        let since = reapedElsewhereSince ?? ContinuousClock.now
        reapedElsewhereSince = since
        return ContinuousClock.now - since > .seconds(2) ? .unknown : nil
    }
}
