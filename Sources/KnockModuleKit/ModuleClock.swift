public import Foundation
import Synchronization

/// Where a module reads the time: the system clock in production, a settable one in tests.
public protocol ModuleClock: Sendable {
    /// The current date and time.
    func now() -> Date
}

/// The system's wall clock.
public struct SystemClock: ModuleClock {
    /// Creates the system clock.
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that says what a test tells it.
public final class ManualClock: ModuleClock {
    private let current: Mutex<Date>

    /// Creates a clock showing `date`.
    /// - Parameter date: The starting time.
    public init(_ date: Date) {
        current = Mutex(date)
    }

    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock.
    /// - Parameter interval: Seconds to add (negative to go back).
    public func advance(by interval: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(interval) }
    }

    /// Sets the clock.
    /// - Parameter date: The new time.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
