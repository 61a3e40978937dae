public import NIOCore
import Synchronization

/// Runs Swift tasks on a NIO event loop, so a connection's handlers (and, if a caller chooses,
/// its calls) run on the same thread as its I/O, with no thread hop per call.
///
/// Use it with `withTaskExecutorPreference(_:operation:)` or `group.addTask(executorPreference:)`.
/// Code running there must not block: a blocking handler stalls every connection on that loop.
///
/// Jobs are queued here and run in batches, one event-loop task per batch: a read burst
/// resumes many calls at once, and an event-loop task (a closure allocated and queued) for
/// each of them was a noticeable part of a call.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The event loop the tasks run on.
    public let eventLoop: any EventLoop
    /// Jobs waiting for the next batch, and whether that batch is scheduled on the loop.
    private let queue = Mutex<(jobs: [UnownedJob], scheduled: Bool)>(([], false))

    /// Creates an executor for `eventLoop`.
    /// - Parameter eventLoop: The loop to run tasks on.
    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let schedule = queue.withLock { queue in
            queue.jobs.append(job)
            defer { queue.scheduled = true }
            return !queue.scheduled
        }
        if schedule {
            eventLoop.execute { self.runQueued() }
        }
    }

    /// Runs the jobs queued so far, in order; jobs they queue go to the next batch.
    private func runQueued() {
        let jobs = queue.withLock { queue in
            queue.scheduled = false
            defer { queue.jobs = [] }
            return queue.jobs
        }
        let executor = asUnownedTaskExecutor()
        for job in jobs {
            job.runSynchronously(on: executor)
        }
    }
}
