import Synchronization

/// Lets the connection cancel the handler of one served call when the call ends early (CANCEL
/// from the caller, a passed deadline, a lost connection), without a second task per call to
/// wait for that.
///
/// One serving task runs handlers one after another (``RPCConnection`` starts a task only when
/// a handler suspends and requests are still waiting), so this records which call's handler the
/// task runs now: cancelling an earlier call, whose handler has returned, leaves the task alone.
/// A task cancelled for its call serves no further calls (cancellation cannot be undone).
///
/// Safety of the `@unchecked Sendable`: the only state is the serving task's
/// `UnsafeCurrentTask` and the call it serves, guarded by `lock`. The task stores itself when it
/// starts and clears the reference (under the lock) as the last thing it does before returning,
/// so whenever ``cancel(callID:)`` finds it non-nil (under the same lock) the task is still
/// running. `cancel()` is the one operation Swift allows on an `UnsafeCurrentTask` from another
/// task. The reference never leaves the lock.
final class HandlerCancellation: @unchecked Sendable {
    private let lock = Mutex(())
    private var task: UnsafeCurrentTask?
    /// The call whose handler runs now.
    private var current: UInt32?

    /// Records the current task as the one serving calls.
    func adoptCurrentTask() {
        withUnsafeCurrentTask { current in
            lock.withLock { _ in task = current }
        }
    }

    /// The task starts on `callID`'s handler.
    func begin(callID: UInt32) {
        lock.withLock { _ in current = callID }
    }

    /// The handler of the current call has returned.
    func end() {
        lock.withLock { _ in current = nil }
    }

    /// Cancels the task if it is still running `callID`'s handler.
    func cancel(callID: UInt32) {
        lock.withLock { _ in
            if current == callID { task?.cancel() }
        }
    }

    /// Forgets the task: it is about to return.
    func release() {
        lock.withLock { _ in
            task = nil
            current = nil
        }
    }
}
