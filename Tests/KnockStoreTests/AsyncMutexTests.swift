import Foundation
import Synchronization
import Testing
@testable import KnockStore

@Suite("AsyncMutex")
struct AsyncMutexTests {
    @Test("one task at a time inside, and every task gets its turn")
    func exclusive() async throws {
        final class Occupancy: Sendable {
            let inside = Mutex(0)
            let most = Mutex(0)
        }
        let mutex = AsyncMutex()
        let occupancy = Occupancy()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await mutex.withLock {
                        let now = occupancy.inside.withLock { $0 += 1; return $0 }
                        occupancy.most.withLock { $0 = max($0, now) }
                        await Task.yield()
                        occupancy.inside.withLock { $0 -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(occupancy.most.withLock { $0 } == 1)
        #expect(occupancy.inside.withLock { $0 } == 0)
    }

    @Test("a waiter cancelled while waiting throws CancellationError and does not block the others")
    func cancelledWaiter() async throws {
        let mutex = AsyncMutex()
        let (entered, enteredContinuation) = AsyncStream<Void>.makeStream()
        let (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await mutex.withLock {
                enteredContinuation.yield()
                for await _ in release { break }
            }
        }
        for await _ in entered { break }
        let waiter = Task { try await mutex.withLock { "entered" } }
        let later = Task { try await mutex.withLock(waitsThroughCancellation: true) { "later entered" } }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        releaseContinuation.yield()
        try await holder.value
        #expect(try await later.value == "later entered")
        #expect(try await mutex.withLock { "free" } == "free")
    }
}
