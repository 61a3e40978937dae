public import KnockTLS

/// What a handler knows about the call it serves.
///
/// A value type whose fields live in one shared box, so passing it through interceptors and
/// handlers copies a pointer; changing a field copies the box first.
public struct ServerContext: Sendable {
    private final class Storage: @unchecked Sendable {
        // Safety of the `@unchecked Sendable`: a Storage is mutated only while uniquely
        // referenced by one ServerContext value (copy-on-write below), so no two threads ever
        // see it change.
        var method: String
        /// The peer as set on this context, or `nil` to read the connection's when asked: most
        /// handlers never look, and a `PeerIdentity` is costly to copy for every call.
        var peer: PeerIdentity??
        var metadata: Metadata
        var deadline: ContinuousClock.Instant?
        var idempotencyKey: String?
        var connection: RPCConnection
        var attributes: [String: String]

        init(method: String, peer: PeerIdentity??, metadata: Metadata, deadline: ContinuousClock.Instant?,
             idempotencyKey: String?, connection: RPCConnection, attributes: [String: String]) {
            self.method = method
            self.peer = peer
            self.metadata = metadata
            self.deadline = deadline
            self.idempotencyKey = idempotencyKey
            self.connection = connection
            self.attributes = attributes
        }

        func copy() -> Storage {
            Storage(method: method, peer: peer, metadata: metadata, deadline: deadline,
                    idempotencyKey: idempotencyKey, connection: connection, attributes: attributes)
        }
    }

    private var storage: Storage

    /// Creates the context of a call on `connection`, whose peer it reports.
    init(method: String, metadata: Metadata, deadline: ContinuousClock.Instant?,
         idempotencyKey: String?, connection: RPCConnection, attributes: [String: String] = [:]) {
        storage = Storage(method: method, peer: nil, metadata: metadata, deadline: deadline,
                          idempotencyKey: idempotencyKey, connection: connection, attributes: attributes)
    }

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// The full method name, `service.Method`.
    public var method: String {
        get { storage.method }
        set { unique().method = newValue }
    }

    /// The caller's identity from its certificate; `nil` only on an in-process connection
    /// created without one.
    public var peer: PeerIdentity? {
        get { storage.peer ?? storage.connection.peer }
        set { unique().peer = .some(newValue) }
    }

    /// Request metadata.
    public var metadata: Metadata {
        get { storage.metadata }
        set { unique().metadata = newValue }
    }

    /// When the call's deadline passes, on this process's clock; `nil` for none.
    public var deadline: ContinuousClock.Instant? {
        get { storage.deadline }
        set { unique().deadline = newValue }
    }

    /// The caller's idempotency key, if it sent one.
    public var idempotencyKey: String? {
        get { storage.idempotencyKey }
        set { unique().idempotencyKey = newValue }
    }

    /// The connection the call arrived on; a handler may call the peer back on it (the host
    /// asks a module that dialed in to assess a visit).
    public var connection: RPCConnection {
        get { storage.connection }
        set {
            let storage = unique()
            // The peer stays the caller's, whatever connection a handler passes on.
            if storage.peer == nil { storage.peer = .some(storage.connection.peer) }
            storage.connection = newValue
        }
    }

    /// Values interceptors attach for the handler (the caller's resolved role and scope, say).
    public var attributes: [String: String] {
        get { storage.attributes }
        set { unique().attributes = newValue }
    }

    /// The time left before the deadline, or `nil` if there is none. Pass it on when calling
    /// onwards.
    public var remainingTime: Duration? {
        deadline.map { ContinuousClock.now.duration(to: $0) }
    }
}
