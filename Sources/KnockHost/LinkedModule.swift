public import KnockModuleKit
import NIOCore
import Synchronization

/// A module linked into the host, whose strategy points (assess, plan, handle) the coordinator
/// calls directly: no message is serialized, no byte crosses a socket, no second event loop
/// wakes. The rules are those of a call over the module's connection:
/// - the module's time limit ends the call with `DEADLINE_EXCEEDED`; its work is cancelled and
///   not waited for, so a module that ignores cancellation still costs only its own answer;
/// - a cancelled caller cancels the module's work;
/// - what the module throws comes back as an ``RPCError`` (`UNKNOWN` for an error that is not
///   one), as a handler's error does over a connection.
///
/// The module's work runs where its connection's handlers run (``executor``), so the modules'
/// work spreads over the event loops as before.
public struct LinkedModule: Sendable {
    /// The module's strategy points.
    public let points: StrategyPoints
    /// Where its work runs: the event loop of the module's end of its connection.
    let executor: EventLoopTaskExecutor

    /// Creates the link.
    /// - Parameters:
    ///   - points: The module's strategy points.
    ///   - executor: Where its work runs.
    public init(points: StrategyPoints, executor: EventLoopTaskExecutor) {
        self.points = points
        self.executor = executor
    }

    /// Runs `work` on the module within `limit`.
    /// - Parameters:
    ///   - method: The strategy point's method name, for the module's log (an error not an
    ///     ``RPCError`` is logged there, as a handler's is over a connection).
    ///   - limit: How long it may take; `nil` for no limit.
    ///   - work: What to ask of the module.
    /// - Returns: The module's answer.
    /// - Throws: ``RPCError``: `DEADLINE_EXCEEDED` when the limit passed first, `CANCELLED` when the
    ///   caller was cancelled first, or the module's error.
    func call<Answer: Sendable>(
        _ method: String, within limit: Duration?, _ work: @escaping @Sendable (StrategyPoints) async throws -> Answer
    ) async throws -> Answer {
        let outcome = CallOutcome<Answer>()
        let points = points
        let executor = executor
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Answer, any Error>) in
                guard outcome.wait(with: continuation) else { return }
                let task = Task(executorPreference: executor) {
                    do {
                        outcome.finish(.success(try await work(points)))
                    } catch {
                        let failure = RPCError(wrapping: error)
                        if failure.code == .unknown {
                            points.context.logger.error("handler failed", metadata: ["method": "\(method)", "error": "\(error)"])
                        }
                        outcome.finish(.failure(failure))
                    }
                }
                let timer = limit.map { limit in
                    executor.eventLoop.scheduleTask(in: TimeAmount(limit)) {
                        outcome.finish(.failure(RPCError(code: .deadlineExceeded, message: "the deadline passed")))
                    }
                }
                outcome.hold(task, timer)
            }
        } onCancel: {
            outcome.finish(.failure(RPCError(code: .cancelled, message: "the call was cancelled")))
        }
    }
}

/// The first of a linked call's ends (the module's answer, the time limit, the caller's
/// cancellation) and what must be stopped once it is known.
private final class CallOutcome<Answer: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Answer, any Error>?
        var result: Result<Answer, RPCError>?
        var task: Task<Void, Never>?
        var timer: Scheduled<Void>?
    }

    private let state = Mutex(State())

    /// Waits with `continuation`; `false` (and resumed) if the call already ended.
    func wait(with continuation: CheckedContinuation<Answer, any Error>) -> Bool {
        let ended = state.withLock { state -> Result<Answer, RPCError>? in
            if state.result == nil { state.continuation = continuation }
            return state.result
        }
        guard let ended else { return true }
        continuation.resume(with: ended)
        return false
    }

    /// Keeps the module's work and the timer, to stop them when the call ends; stops them at
    /// once if it already has.
    func hold(_ task: Task<Void, Never>, _ timer: Scheduled<Void>?) {
        let ended = state.withLock { state -> Bool in
            if state.result == nil {
                state.task = task
                state.timer = timer
            }
            return state.result != nil
        }
        guard ended else { return }
        task.cancel()
        timer?.cancel()
    }

    /// Ends the call with `result` unless it has ended; the work still running is cancelled and
    /// the timer stopped.
    func finish(_ result: Result<Answer, RPCError>) {
        let taken = state.withLock { state -> (CheckedContinuation<Answer, any Error>?, Task<Void, Never>?, Scheduled<Void>?)? in
            guard state.result == nil else { return nil }
            state.result = result
            defer {
                state.continuation = nil
                state.task = nil
                state.timer = nil
            }
            return (state.continuation, state.task, state.timer)
        }
        guard let (continuation, task, timer) = taken else { return }
        timer?.cancel()
        if case .failure = result { task?.cancel() }
        continuation?.resume(with: result.mapError { $0 as any Error })
    }
}
