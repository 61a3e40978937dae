import Synchronization

/// The moment a process was created, set from inside swift-subprocess's body closure and read
/// after it returns.
final class StartTime: Sendable {
    private let value = Mutex<ContinuousClock.Instant?>(nil)

    func mark(_ instant: ContinuousClock.Instant) {
        value.withLock { $0 = instant }
    }

    var instant: ContinuousClock.Instant? {
        value.withLock { $0 }
    }
}
