import KnockModuleKit
import NIOCore
import Synchronization

/// One strategy point asked of several linked modules at once (``LinkedModule``'s rules for
/// each): every module's work runs as a task on its own executor, the caller waits once for all
/// of them, and one timer keeps all their time limits.
///
/// Every visit asks each assessing module, so what one question costs counts: asked one by one,
/// each module took a task in the caller's group, a task of its own, a continuation and a timer
/// of its own. Here a visit to five modules takes their five tasks, one continuation and one
/// timer.
///
/// A module that answers `ABORTED` (what it read changed meanwhile) is asked again, up to
/// `attempts` times, each attempt with its full time limit, as a module over its connection is.
final class LinkedConsultation<Answer: Sendable>: Sendable {
    /// One module's part.
    private struct Part {
        var limit: TimeAmount
        var deadline: NIODeadline
        var outcome: Result<Answer, RPCError>?
        var task: Task<Void, Never>?
    }

    private struct State {
        var parts: [Part]
        var left: Int
        var waiter: UnsafeContinuation<[Result<Answer, RPCError>], Never>?
        var timer: Scheduled<Void>?
    }

    private let state: Mutex<State>
    /// Where the timer runs.
    private let eventLoop: any EventLoop

    private init(limits: [Duration], eventLoop: any EventLoop) {
        let now = NIODeadline.now()
        let parts = limits.map { limit in
            Part(limit: TimeAmount(limit), deadline: now + TimeAmount(limit))
        }
        state = Mutex(State(parts: parts, left: parts.count))
        self.eventLoop = eventLoop
    }

    /// Asks `modules` at once and waits for every answer, time-out or failure.
    /// - Parameters:
    ///   - modules: The modules, each with its time limit.
    ///   - method: The strategy point's method name, for the module's log.
    ///   - attempts: How many times a module answering `ABORTED` is asked in all.
    ///   - work: What to ask of a module, with the attempt (from 1).
    /// - Returns: Each module's answer or error (an ``RPCError``, as ``LinkedModule`` gives it),
    ///   in the order of `modules`.
    static func ask(
        _ modules: [(module: LinkedModule, limit: Duration)],
        method: String,
        attempts: Int,
        _ work: @escaping @Sendable (_ points: StrategyPoints, _ attempt: Int) async throws -> Answer
    ) async -> [Result<Answer, RPCError>] {
        guard let first = modules.first else { return [] }
        let consultation = LinkedConsultation(limits: modules.map(\.limit), eventLoop: first.module.executor.eventLoop)
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { waiter in
                guard consultation.wait(with: waiter) else { return }
                for (index, entry) in modules.enumerated() {
                    consultation.start(index, entry.module, method: method, attempts: attempts, work)
                }
                consultation.armTimer()
            }
        } onCancel: {
            consultation.endAll(RPCError(code: .cancelled, message: "the call was cancelled"))
        }
    }

    /// Keeps the caller's continuation; `false` (and resumed) if every part has already ended.
    private func wait(with waiter: UnsafeContinuation<[Result<Answer, RPCError>], Never>) -> Bool {
        let ended = state.withLock { state -> [Result<Answer, RPCError>]? in
            guard state.left > 0 else { return state.parts.map { $0.outcome! } }
            state.waiter = waiter
            return nil
        }
        guard let ended else { return true }
        waiter.resume(returning: ended)
        return false
    }

    /// Starts module `index`'s work on its executor.
    private func start(
        _ index: Int,
        _ module: LinkedModule,
        method: String,
        attempts: Int,
        _ work: @escaping @Sendable (StrategyPoints, Int) async throws -> Answer
    ) {
        let points = module.points
        let task = Task(executorPreference: module.executor) {
            var attempt = 1
            while true {
                do {
                    self.end(index, .success(try await work(points, attempt)))
                    return
                } catch {
                    let failure = RPCError(wrapping: error)
                    if failure.code == .aborted, attempt < attempts, !Task.isCancelled, self.restart(index) {
                        attempt += 1
                        continue
                    }
                    if failure.code == .unknown {
                        points.context.logger.error("handler failed", metadata: ["method": "\(method)", "error": "\(error)"])
                    }
                    self.end(index, .failure(failure))
                    return
                }
            }
        }
        let ended = state.withLock { state -> Bool in
            guard state.parts[index].outcome == nil else { return true }
            state.parts[index].task = task
            return false
        }
        if ended { task.cancel() }
    }

    /// A new attempt of part `index` gets its full time limit again; `false` if the part has
    /// ended meanwhile.
    private func restart(_ index: Int) -> Bool {
        state.withLock { state in
            guard state.parts[index].outcome == nil else { return false }
            state.parts[index].deadline = .now() + state.parts[index].limit
            return true
        }
    }

    /// Ends part `index` with `outcome` unless it has ended.
    private func end(_ index: Int, _ outcome: Result<Answer, RPCError>) {
        let (task, finished) = state.withLock { state -> (Task<Void, Never>?, Finished?) in
            guard state.parts[index].outcome == nil else { return (nil, nil) }
            state.parts[index].outcome = outcome
            state.left -= 1
            return (state.parts[index].task.take(), Self.finished(&state))
        }
        if case .failure = outcome { task?.cancel() }
        finished?.resume()
    }

    /// Ends every part still running with `error`.
    private func endAll(_ error: RPCError) {
        expire(before: nil, with: error)
    }

    /// Schedules the timer for the earliest deadline of a part still running.
    private func armTimer() {
        let next = state.withLock { state in
            state.parts.lazy.filter { $0.outcome == nil }.map(\.deadline).min()
        }
        guard let next else { return }
        let timer = eventLoop.scheduleTask(deadline: next) { [self] in
            expire(before: .now(), with: RPCError(code: .deadlineExceeded, message: "the deadline passed"))
            armTimer()
        }
        let ended = state.withLock { state -> Bool in
            guard state.left > 0 else { return true }
            state.timer?.cancel()
            state.timer = timer
            return false
        }
        if ended { timer.cancel() }
    }

    /// Ends with `error` every part still running whose deadline is not after `now` (every part
    /// still running when `now` is `nil`), cancelling their work.
    private func expire(before now: NIODeadline?, with error: RPCError) {
        let (tasks, finished) = state.withLock { state -> ([Task<Void, Never>], Finished?) in
            var tasks: [Task<Void, Never>] = []
            for index in state.parts.indices where state.parts[index].outcome == nil {
                if let now, state.parts[index].deadline > now { continue }
                state.parts[index].outcome = .failure(error)
                state.left -= 1
                if let task = state.parts[index].task.take() { tasks.append(task) }
            }
            return (tasks, Self.finished(&state))
        }
        for task in tasks { task.cancel() }
        finished?.resume()
    }

    /// What the last part's end leaves to do: answer the caller, stop the timer.
    private struct Finished {
        var waiter: UnsafeContinuation<[Result<Answer, RPCError>], Never>?
        var outcomes: [Result<Answer, RPCError>]
        var timer: Scheduled<Void>?

        func resume() {
            timer?.cancel()
            waiter?.resume(returning: outcomes)
        }
    }

    /// Takes what is left to do if every part has ended (and it was not taken yet).
    private static func finished(_ state: inout State) -> Finished? {
        guard state.left == 0, state.waiter != nil || state.timer != nil else { return nil }
        return Finished(waiter: state.waiter.take(), outcomes: state.parts.map { $0.outcome! }, timer: state.timer.take())
    }
}
