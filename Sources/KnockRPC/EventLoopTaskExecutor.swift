public import NIOCore

/// Runs Swift tasks on a NIO event loop, so a connection's handlers (and, if a caller chooses,
/// its calls) run on the same thread as its I/O, with no thread hop per call.
///
/// Use it with `withTaskExecutorPreference(_:operation:)` or `group.addTask(executorPreference:)`.
/// Code running there must not block: a blocking handler stalls every connection on that loop.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The event loop the tasks run on.
    public let eventLoop: any EventLoop

    /// Creates an executor for `eventLoop`.
    /// - Parameter eventLoop: The loop to run tasks on.
    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
