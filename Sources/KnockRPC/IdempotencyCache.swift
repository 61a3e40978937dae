import NIOCore
import Synchronization

/// Remembers the outcomes of calls made with an idempotency key, so that a retried write is
/// answered from memory instead of running twice (PROTOCOL.md §4.5).
///
/// Keys are scoped by caller identity and method. A completed call is replayed for `retention`;
/// a call still running makes a second one fail with `ABORTED`; the same key with a different
/// request fails with `FAILED_PRECONDITION` (`IDEMPOTENCY_KEY_REUSED`). Only definitive outcomes
/// are kept (OK and errors a retry cannot change); after a transient failure (`UNAVAILABLE`,
/// `DEADLINE_EXCEEDED`, `CANCELLED`, `RESOURCE_EXHAUSTED`, `ABORTED`, `INTERNAL`, `UNKNOWN`) the
/// key is forgotten so the retry runs. Memory is bounded by `capacity` entries, oldest first out.
/// The cache lives in memory: a restarted host forgets it, which is why writes whose effect must
/// survive (a visit record) also carry their own client-generated id.
public final class IdempotencyCache: Sendable {
    struct Key: Hashable {
        var caller: String
        var method: String
        var key: String
    }

    enum Entry {
        case running(digest: Int)
        case done(digest: Int, outcome: Result<ByteBuffer, RPCError>, expires: ContinuousClock.Instant)
    }

    /// What to do with a call carrying a key.
    enum Decision {
        case run
        case replay(Result<ByteBuffer, RPCError>)
        case refuse(RPCError)
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var order: CircularBuffer<Key> = []
    }

    private let state = Mutex(State())
    /// How long a completed outcome is replayed.
    public let retention: Duration
    /// The most outcomes kept.
    public let capacity: Int

    /// Creates a cache.
    /// - Parameters:
    ///   - retention: How long outcomes are replayed (default 24 hours).
    ///   - capacity: The most outcomes kept (default 100,000).
    public init(retention: Duration = .seconds(86_400), capacity: Int = 100_000) {
        self.retention = retention
        self.capacity = max(1, capacity)
    }

    static func digest(_ request: ByteBuffer) -> Int {
        var hasher = Hasher()
        request.withUnsafeReadableBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }

    func begin(_ key: Key, request: ByteBuffer) -> Decision {
        let digest = Self.digest(request)
        let now = ContinuousClock.now
        return state.withLock { state in
            switch state.entries[key] {
            case .running(let running):
                if running != digest { return .refuse(Self.reused(key)) }
                return .refuse(RPCError.reason(.aborted, "IDEMPOTENCY_KEY_IN_USE", domain: "knock.rpc",
                                               "a call with idempotency key \(key.key) is still running; retry later"))
            case .done(let done, let outcome, let expires) where expires > now:
                if done != digest { return .refuse(Self.reused(key)) }
                return .replay(outcome)
            default:
                if state.entries[key] == nil {
                    state.order.append(key)
                    while state.order.count > capacity, let oldest = state.order.popFirst() {
                        state.entries[oldest] = nil
                    }
                }
                state.entries[key] = .running(digest: digest)
                return .run
            }
        }
    }

    func complete(_ key: Key, request: ByteBuffer, outcome: Result<ByteBuffer, RPCError>) {
        let keep: Bool
        switch outcome {
        case .success: keep = true
        case .failure(let error):
            keep = ![.unavailable, .deadlineExceeded, .cancelled, .resourceExhausted, .aborted, .internal, .unknown].contains(error.code)
        }
        let digest = Self.digest(request)
        let expires = ContinuousClock.now + retention
        state.withLock { state in
            if keep {
                state.entries[key] = .done(digest: digest, outcome: outcome, expires: expires)
            } else {
                state.entries[key] = nil
            }
        }
    }

    /// Outcomes (and running calls) currently remembered.
    public var count: Int {
        state.withLock { $0.entries.count }
    }

    private static func reused(_ key: Key) -> RPCError {
        RPCError.reason(.failedPrecondition, "IDEMPOTENCY_KEY_REUSED", domain: "knock.rpc",
                        "idempotency key \(key.key) was already used for a different \(key.method) request")
    }
}
