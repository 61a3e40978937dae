import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A task executor that runs its jobs on one thread at a time and can retire that thread on
/// demand: the thread exits and a new one takes over the queue. It stands in, deterministically,
/// for the Swift runtime's pool threads, which come and go on their own.
///
/// `@unchecked Sendable`: `queue`, `generation`, `isShutDown` and `thread` are read and written
/// only with `condition` locked.
final class RetiringThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [UnownedJob] = []
    private var generation = 0
    private var isShutDown = false
    private var thread: pthread_t

    init() {
        thread = pthread_t()
        condition.lock()
        thread = startThread(generation: 0)
        condition.unlock()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        queue.append(job)
        condition.broadcast()
        condition.unlock()
    }

    /// The thread that runs jobs now.
    var currentThread: pthread_t {
        condition.lock()
        defer { condition.unlock() }
        return thread
    }

    /// Makes the current thread exit once its job in hand is done, starts a new one, and returns
    /// when the old thread has exited. Call it from a thread not of this executor.
    func retireThread() {
        condition.lock()
        generation += 1
        let old = thread
        thread = startThread(generation: generation)
        condition.broadcast()
        condition.unlock()
        pthread_join(old, nil)
    }

    /// Ends the thread; jobs still queued never run.
    func shutDown() {
        condition.lock()
        isShutDown = true
        let last = thread
        condition.broadcast()
        condition.unlock()
        pthread_join(last, nil)
    }

    /// Must be called with `condition` locked.
    private func startThread(generation: Int) -> pthread_t {
        let body = ThreadBody { [self] in
            self.runJobs(generation: generation)
        }
        var thread = pthread_t()
        let result = pthread_create(
            &thread,
            nil,
            { context in
                Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            },
            Unmanaged.passRetained(body).toOpaque()
        )
        precondition(result == 0, "pthread_create failed: \(result)")
        return thread
    }

    private func runJobs(generation: Int) {
        while true {
            condition.lock()
            while queue.isEmpty, generation == self.generation, !isShutDown {
                condition.wait()
            }
            guard generation == self.generation, !isShutDown else {
                condition.unlock()
                return
            }
            let job = queue.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// The closure a new thread runs, boxed to pass through `pthread_create`'s context pointer.
private final class ThreadBody {
    let run: () -> Void

    init(_ run: @escaping () -> Void) {
        self.run = run
    }
}
