import Synchronization

/// Lets the connection cancel the task running one call's handler when the call ends early
/// (CANCEL from the caller, a passed deadline, a lost connection), without a second task per
/// call to wait for that.
///
/// Safety of the `@unchecked Sendable`: the only state is the handler task's
/// `UnsafeCurrentTask`, guarded by `lock`. The handler task stores it when it starts and clears
/// it (under the lock) as the last thing it does before returning, so whenever ``cancel()``
/// finds it non-nil (under the same lock) the task is still running. `cancel()` is the one
/// operation Swift allows on an `UnsafeCurrentTask` from another task. The reference never
/// leaves the lock.
final class HandlerCancellation: @unchecked Sendable {
    private let lock = Mutex(())
    private var task: UnsafeCurrentTask?
    private var cancelled = false

    /// Records the current task as the handler's; if the call already ended, cancels it now.
    func adoptCurrentTask() {
        withUnsafeCurrentTask { current in
            lock.withLock { _ in
                task = current
                if cancelled { current?.cancel() }
            }
        }
    }

    /// Cancels the handler's task if it is still running.
    func cancel() {
        lock.withLock { _ in
            cancelled = true
            task?.cancel()
        }
    }

    /// Forgets the task: the handler is about to return.
    func release() {
        lock.withLock { _ in task = nil }
    }
}
