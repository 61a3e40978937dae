import KnockTLS
import NIOCore
import Synchronization

/// What one end of a test connection saw, written on its event loop, read by the test.
final class ConnectionLog: Sendable {
    struct Snapshot: Sendable {
        var channel: (any Channel)?
        var handshake: (peer: PeerIdentity, applicationProtocol: String)?
        var received: [UInt8] = []
        var errors: [any Error] = []
        var inputClosed = false
        var closed = false

        var tlsErrors: [TLSError] { self.errors.compactMap { $0 as? TLSError } }
        var receivedText: String { String(decoding: self.received, as: UTF8.self) }
    }

    private let state = Mutex(Snapshot())

    var snapshot: Snapshot { self.state.withLock { $0 } }

    func update(_ body: (inout Snapshot) -> Void) {
        self.state.withLock { body(&$0) }
    }

    /// Waits until `condition` holds, checking every few milliseconds.
    /// - Returns: Whether it held before `timeout`.
    @discardableResult
    func wait(
        upTo timeout: Duration = .seconds(10),
        until condition: (Snapshot) -> Bool
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(self.snapshot) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition(self.snapshot)
    }

    /// Waits for the connection to close.
    @discardableResult
    func waitUntilClosed(upTo timeout: Duration = .seconds(10)) async -> Bool {
        await self.wait(upTo: timeout) { $0.closed }
    }
}
