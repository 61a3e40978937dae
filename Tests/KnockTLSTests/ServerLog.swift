import Synchronization

/// All connections a test server accepted, in order.
final class ServerLog: Sendable {
    private let connections = Mutex<[ConnectionLog]>([])

    func add(_ log: ConnectionLog) {
        self.connections.withLock { $0.append(log) }
    }

    var all: [ConnectionLog] { self.connections.withLock { $0 } }

    /// Waits until the server has accepted `count` connections, and returns the last one.
    func connection(_ number: Int, upTo timeout: Duration = .seconds(10)) async -> ConnectionLog? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let all = self.all
            if all.count >= number { return all[number - 1] }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }
}
