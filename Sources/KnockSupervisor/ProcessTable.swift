import Synchronization

/// The status of every supervised process, the lifecycle of the supervisor, and the streams
/// of status changes handed out; safe to read and change from any thread.
final class ProcessTable: Sendable {
    enum Phase: Sendable, Hashable {
        case idle
        case running
        case finished
    }

    private struct State {
        var phase = Phase.idle
        var order: [String]
        var statuses: [String: ProcessStatus]
        var nextSubscriberID = 0
        var subscribers: [Int: AsyncStream<ProcessStatus>.Continuation] = [:]
    }

    private let state: Mutex<State>

    /// The most changes a subscriber that does not keep up is sent; older ones are dropped.
    static let subscriberBufferSize = 1024

    init(ids: [String]) {
        var statuses: [String: ProcessStatus] = [:]
        for id in ids {
            statuses[id] = ProcessStatus(id: id, state: .stopped)
        }
        self.state = Mutex(State(order: ids, statuses: statuses))
    }

    var phase: Phase {
        state.withLock { $0.phase }
    }

    /// Moves from idle to running.
    /// - Throws: ``SupervisorError/Code/alreadyStarted`` when the supervisor ran before.
    func begin() throws(SupervisorError) {
        let began = state.withLock { state -> Bool in
            guard state.phase == .idle else {
                return false
            }
            state.phase = .running
            return true
        }
        guard began else {
            throw SupervisorError(code: .alreadyStarted, message: "the supervisor was already run; a supervisor runs once")
        }
    }

    /// Moves to finished and ends every stream of changes.
    func finish() {
        let subscribers = state.withLock { state -> [AsyncStream<ProcessStatus>.Continuation] in
            state.phase = .finished
            let subscribers = Array(state.subscribers.values)
            state.subscribers.removeAll()
            return subscribers
        }
        // Outside the lock: finishing runs each stream's termination handler, which takes it.
        for subscriber in subscribers {
            subscriber.finish()
        }
    }

    func status(of id: String) -> ProcessStatus? {
        state.withLock { $0.statuses[id] }
    }

    func all() -> [ProcessStatus] {
        state.withLock { state in
            state.order.compactMap { state.statuses[$0] }
        }
    }

    /// Changes one process's status and tells every subscriber, if anything changed.
    @discardableResult
    func update(_ id: String, _ change: (inout ProcessStatus) -> Void) -> ProcessStatus {
        state.withLock { state in
            guard var status = state.statuses[id] else {
                preconditionFailure("no process '\(id)' in the table")
            }
            let before = status
            change(&status)
            guard status != before else {
                return status
            }
            state.statuses[id] = status
            // Yielding under the lock keeps every subscriber's order the table's order; it runs
            // no handler of ours.
            for subscriber in state.subscribers.values {
                subscriber.yield(status)
            }
            return status
        }
    }

    /// A stream that starts with every process's current status and then carries each change,
    /// until the supervisor finishes.
    func subscribe() -> AsyncStream<ProcessStatus> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ProcessStatus.self,
            bufferingPolicy: .bufferingNewest(Self.subscriberBufferSize)
        )
        let id = state.withLock { state -> Int in
            state.nextSubscriberID += 1
            return state.nextSubscriberID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        let isOpen = state.withLock { state -> Bool in
            for id in state.order {
                if let status = state.statuses[id] {
                    continuation.yield(status)
                }
            }
            guard state.phase != .finished else {
                return false
            }
            state.subscribers[id] = continuation
            return true
        }
        if !isOpen {
            continuation.finish()
        }
        return stream
    }
}
