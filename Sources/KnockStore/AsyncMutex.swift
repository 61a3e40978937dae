import Synchronization

/// A lock for async code: one task at a time runs its critical section, the others wait in
/// arrival order without blocking a thread. A waiting task that is cancelled stops waiting and
/// throws `CancellationError`; a task already inside finishes its section.
///
/// The SQLite engine uses it to lend its one connection to one task at a time, so that a
/// transaction's statements are never interleaved with another task's.
final class AsyncMutex: Sendable {
    private struct State {
        var locked = false
        var nextWaiterID: UInt64 = 0
        var waiters: [(id: UInt64, continuation: Waiter)] = []
    }

    private enum Waiter {
        case cancellable(CheckedContinuation<Void, any Error>)
        case uncancellable(CheckedContinuation<Void, Never>)

        func resume() {
            switch self {
            case .cancellable(let continuation): continuation.resume()
            case .uncancellable(let continuation): continuation.resume()
            }
        }
    }

    private let state = Mutex(State())

    init() {}

    /// Runs `body` while holding the lock.
    /// - Parameters:
    ///   - waitsThroughCancellation: Wait for the lock even if the task is cancelled (for
    ///     clean-up that must run, such as closing).
    ///   - body: The critical section.
    /// - Throws: `CancellationError` if cancelled while waiting; what `body` throws.
    func withLock<Result: Sendable>(waitsThroughCancellation: Bool = false, _ body: () async throws -> Result) async throws -> Result {
        if waitsThroughCancellation {
            await acquireIgnoringCancellation()
        } else {
            try await acquire()
        }
        defer { release() }
        return try await body()
    }

    private func acquireIgnoringCancellation() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired: Bool = state.withLock { state in
                if !state.locked {
                    state.locked = true
                    return true
                }
                state.nextWaiterID += 1
                state.waiters.append((state.nextWaiterID, .uncancellable(continuation)))
                return false
            }
            if acquired { continuation.resume() }
        }
    }

    private func acquire() async throws {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case acquired, cancelled, waiting }
                // Cancellation sets the task's flag before it runs the handler below, and both
                // take the mutex: either the handler finds this waiter queued, or this check
                // sees the flag. A waiter is never left queued after its cancellation.
                let outcome: Outcome = state.withLock { state in
                    if Task.isCancelled { return .cancelled }
                    if !state.locked {
                        state.locked = true
                        return .acquired
                    }
                    state.waiters.append((id, .cancellable(continuation)))
                    return .waiting
                }
                switch outcome {
                case .acquired: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .waiting: break
                }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let position = state.waiters.firstIndex(where: { $0.id == id }),
                      case .cancellable(let continuation) = state.waiters[position].continuation
                else { return nil }
                state.waiters.remove(at: position)
                return continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    private func release() {
        let next = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            // The lock passes straight to the first waiter: it stays locked.
            return state.waiters.removeFirst().continuation
        }
        next?.resume()
    }
}
