public import KnockTLS

/// What a handler knows about the call it serves.
public struct ServerContext: Sendable {
    /// The full method name, `service.Method`.
    public var method: String
    /// The caller's identity from its certificate; `nil` only on an in-process connection
    /// created without one.
    public var peer: PeerIdentity?
    /// Request metadata.
    public var metadata: Metadata
    /// When the call's deadline passes, on this process's clock; `nil` for none.
    public var deadline: ContinuousClock.Instant?
    /// The caller's idempotency key, if it sent one.
    public var idempotencyKey: String?
    /// The connection the call arrived on; a handler may call the peer back on it (the host
    /// asks a module that dialed in to assess a visit).
    public var connection: RPCConnection
    /// Values interceptors attach for the handler (the caller's resolved role and scope, say).
    public var attributes: [String: String] = [:]

    /// The time left before the deadline, or `nil` if there is none. Pass it on when calling
    /// onwards.
    public var remainingTime: Duration? {
        deadline.map { ContinuousClock.now.duration(to: $0) }
    }
}
