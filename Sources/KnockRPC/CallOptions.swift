/// Per-call settings chosen by the caller.
public struct CallOptions: Sendable {
    /// How long the call may take, measured from when it is sent; `nil` for no deadline.
    public var timeout: Duration?
    /// Request metadata.
    public var metadata: Metadata
    /// A key that makes a retried write safe (PROTOCOL.md §4.5); `nil` for none.
    public var idempotencyKey: String?
    /// Server streams: how many messages may be in flight to this caller (the credit window).
    public var streamWindow: UInt32

    /// Creates call options.
    /// - Parameters:
    ///   - timeout: The deadline, relative; `nil` for none.
    ///   - metadata: Request metadata.
    ///   - idempotencyKey: A key for safe retries of writes.
    ///   - streamWindow: Server streams: messages allowed in flight (default 16).
    public init(timeout: Duration? = nil, metadata: Metadata = [:], idempotencyKey: String? = nil, streamWindow: UInt32 = 16) {
        self.timeout = timeout
        self.metadata = metadata
        self.idempotencyKey = idempotencyKey
        self.streamWindow = max(1, streamWindow)
    }
}
