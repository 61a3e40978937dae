import Synchronization

/// A value one task hands to another, once: the other waits for it (``value``), and gets `nil`
/// if the giver ends without one (``give(_:)`` with `nil`). Later gifts are ignored.
final class Handoff<Value: Sendable>: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Value?, Never>?)
        case given(Value?)
    }

    private let state = Mutex(State.waiting(nil))

    /// Hands `value` over (`nil`: none will come), unless something was handed over already.
    func give(_ value: Value?) {
        let waiter = state.withLock { state -> CheckedContinuation<Value?, Never>?? in
            guard case .waiting(let waiter) = state else { return nil }
            state = .given(value)
            return .some(waiter)
        }
        if case .some(let waiter?) = waiter { waiter.resume(returning: value) }
    }

    /// The value handed over, once it is; `nil` if none will come. One task may wait.
    var value: Value? {
        get async {
            await withCheckedContinuation { continuation in
                let given = state.withLock { state -> Value?? in
                    switch state {
                    case .given(let value):
                        return .some(value)
                    case .waiting:
                        state = .waiting(continuation)
                        return nil
                    }
                }
                if case .some(let value) = given { continuation.resume(returning: value) }
            }
        }
    }
}
