#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A snapshot of one supervised process: what the host shows an operator and what it checks.
public struct ProcessStatus: Sendable, Hashable, CustomStringConvertible {
    /// The process's id, as in its ``SupervisedProcess/id``.
    public var id: String
    /// Where the process is in its life.
    public var state: ProcessState
    /// How many times the process was started again after its first start (after a crash, or on
    /// request) since `run()` began.
    public var restartCount: Int
    /// How the process last ended, or `nil` if it has not ended yet.
    public var lastExit: ExitReason?
    /// The last error met while starting or supervising the process (a spawn failure, a missing
    /// executable, the restart limit), or `nil`. It stays after the process recovers, as a
    /// record; ``state`` tells whether it is current.
    public var lastError: SupervisorError?

    /// Creates a status; the supervisor makes these, tests and hosts may too.
    /// - Parameters:
    ///   - id: The process's id.
    ///   - state: Where it is in its life.
    ///   - restartCount: Starts after the first.
    ///   - lastExit: How it last ended.
    ///   - lastError: The last error met.
    public init(
        id: String,
        state: ProcessState,
        restartCount: Int = 0,
        lastExit: ExitReason? = nil,
        lastError: SupervisorError? = nil
    ) {
        self.id = id
        self.state = state
        self.restartCount = restartCount
        self.lastExit = lastExit
        self.lastError = lastError
    }

    /// `canteen: running (pid 4242), 3 restarts, last exit status 3`.
    public var description: String {
        var text = "\(id): \(state), \(restartCount) restart\(restartCount == 1 ? "" : "s")"
        if let lastExit {
            text += ", last \(lastExit)"
        }
        return text
    }
}
