import Synchronization

/// The requests standing for one supervised process, and a way for its tasks to wait for them.
///
/// The host's calls (`restart`, shutdown) set flags here from any thread; the tasks that run
/// the process wait until a flag they care about is set. Flags are read, never consumed, by
/// waiters, so several tasks can watch the same request; the supervision loop clears the
/// restart request when it acts on it.
final class ProcessControl: Sendable {
    /// The flags tasks wait on.
    struct Flags: Sendable {
        /// The supervisor is shutting down: stop the process and do not start it again.
        var stopRequested = false
        /// Someone asked for the process to be started afresh now.
        var restartRequested = false
        /// The current process's stdout and stderr have both ended, while the process itself
        /// may still be running.
        var outputFinished = false
        /// A task has taken on stopping the current process; no other may send it signals.
        var isStopping = false

        /// A stop or a restart is asked for.
        var interruptRequested: Bool {
            stopRequested || restartRequested
        }
    }

    private struct State {
        var flags = Flags()
        /// Bumped on every change, so that a waiter can tell whether it missed one.
        var version: UInt64 = 0
        var nextWaiterID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// The flags as they are now.
    var flags: Flags {
        state.withLock { $0.flags }
    }

    /// Changes the flags and wakes every waiter.
    func update(_ change: (inout Flags) -> Void) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            change(&state.flags)
            state.version &+= 1
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            return waiters
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    /// Takes on stopping the current process, unless another task already has.
    /// - Returns: `true` when the caller is to stop the process.
    func claimStop() -> Bool {
        state.withLock { state in
            guard !state.flags.isStopping else {
                return false
            }
            state.flags.isStopping = true
            return true
        }
    }

    /// Waits until `condition` holds.
    /// - Returns: `true` when it holds, `false` when the task was cancelled first.
    func wait(until condition: @Sendable (Flags) -> Bool) async -> Bool {
        while true {
            let (holds, version) = state.withLock { (condition($0.flags), $0.version) }
            if holds {
                return true
            }
            if Task.isCancelled {
                return false
            }
            await waitForChange(after: version)
        }
    }

    /// Waits until `condition` holds or `deadline` passes.
    /// - Returns: `true` when the condition holds, `false` when the deadline passed or the task
    ///   was cancelled first.
    func wait(
        until condition: @escaping @Sendable (Flags) -> Bool,
        deadline: ContinuousClock.Instant
    ) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.wait(until: condition)
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Suspends until the flags change after `version`, or the task is cancelled.
    private func waitForChange(after version: UInt64) async {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Under the lock: a change made before this point is seen through the version,
                // and a cancellation through the task's flag, which is set before the handler
                // below runs and takes the same lock.
                let resumeNow = state.withLock { state -> Bool in
                    if state.version != version || Task.isCancelled {
                        return true
                    }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow {
                    continuation.resume()
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
