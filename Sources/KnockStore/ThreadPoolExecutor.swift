import NIOPosix

/// Runs tasks on the threads of a `NIOThreadPool`: the pool that runs SQLite connections'
/// statements.
///
/// A statement of sqlite-nio runs on the pool and resumes its task wherever the task runs. A
/// task that runs on the same pool goes from one statement to the next on that thread, without
/// waking another thread twice per statement and without waiting in line behind every other
/// task of the process. The writing connection's transactions are what every write waits for,
/// and a reading connection is lent to one read at a time: the sooner a statement's task goes
/// on, the sooner the connection is free for the next.
final class ThreadPoolExecutor: TaskExecutor {
    private let threadPool: NIOThreadPool

    /// An executor for the threads of `threadPool`, which must be started.
    init(threadPool: NIOThreadPool) {
        self.threadPool = threadPool
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        threadPool.submit { state in
            switch state {
            case .active:
                job.runSynchronously(on: self.asUnownedTaskExecutor())
            case .cancelled:
                // The pool has stopped: the task still has to run to its end, somewhere else.
                globalConcurrentExecutor.enqueue(ExecutorJob(job))
            }
        }
    }
}
