#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where one supervised process is in its life, as the host sees it.
///
/// A process goes `stopped` → `starting` → `running`; when it exits on its own it goes to
/// `backingOff` and then `starting` again, or to `failed` when the supervisor gives up on it;
/// a requested restart or a shutdown passes through `stopping`. After `run()` returns every
/// process is `stopped`.
public enum ProcessState: Sendable, Hashable, CustomStringConvertible {
    /// Not running, and not about to be: the supervisor has not started yet, or has shut down.
    case stopped
    /// The supervisor is creating the process.
    case starting
    /// The process is alive.
    /// - Parameters:
    ///   - pid: Its process id.
    ///   - since: When it was started (wall clock).
    case running(pid: Int32, since: Date)
    /// The supervisor has asked the process to end (restart request or shutdown) and is waiting
    /// for it: `SIGTERM`, then `SIGKILL` after the process's stop timeout.
    case stopping(pid: Int32)
    /// The process exited; the supervisor will start it again at `until` (wall clock), unless a
    /// restart is requested sooner.
    case backingOff(until: Date)
    /// The supervisor gave up on the process and will not start it again on its own; a call to
    /// ``ProcessSupervisor/restart(_:)`` tries again.
    case failed(SupervisorError)

    /// A short human-readable form, e.g. `running (pid 4242)`.
    public var description: String {
        switch self {
        case .stopped: return "stopped"
        case .starting: return "starting"
        case .running(let pid, _): return "running (pid \(pid))"
        case .stopping(let pid): return "stopping (pid \(pid))"
        case .backingOff(let until): return "backing off until \(until)"
        case .failed(let error): return "failed: \(error.message)"
        }
    }

    /// The process id while the process is running or stopping, otherwise `nil`.
    public var pid: Int32? {
        switch self {
        case .running(let pid, _), .stopping(let pid): return pid
        case .stopped, .starting, .backingOff, .failed: return nil
        }
    }
}
