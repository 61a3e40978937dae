import KnockRPC
import NIOCore
import NIOPosix
import Synchronization
import Testing

@Suite("Event-loop task executor")
struct EventLoopTaskExecutorTests {
    /// What the tasks record, shared between them.
    final class Finished: Sendable {
        let order = Mutex<[Int]>([])
    }

    @Test("tasks that suspend many times run every step on the loop, in the order they were queued")
    func batchesRunOnTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(eventLoop: group.next())
        let finished = Finished()
        await withDiscardingTaskGroup { tasks in
            for index in 0..<200 {
                tasks.addTask(executorPreference: executor) {
                    for _ in 0..<5 {
                        #expect(executor.eventLoop.inEventLoop)
                        await Task.yield()
                    }
                    finished.order.withLock { $0.append(index) }
                }
            }
        }
        let order = finished.order.withLock { $0 }
        #expect(order.count == 200)
        // One loop runs the queued jobs first come, first served: equal work ends in order.
        #expect(order == Array(0..<200))
        try await group.shutdownGracefully()
    }

    @Test("jobs queued from other threads still run")
    func queuedFromElsewhere() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(eventLoop: group.next())
        let total = try await withThrowingTaskGroup(of: Int.self) { tasks in
            for index in 0..<100 {
                tasks.addTask {
                    // Starts on the global executor, then moves to the loop and back.
                    let onLoop = await withTaskExecutorPreference(executor) { executor.eventLoop.inEventLoop }
                    #expect(onLoop)
                    return index
                }
            }
            return try await tasks.reduce(0, +)
        }
        #expect(total == (0..<100).reduce(0, +))
        try await group.shutdownGracefully()
    }
}
