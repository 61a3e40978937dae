import Synchronization

/// The current connection to the host: calls go to whatever connection is up, and fail with
/// `UNAVAILABLE` while it is being re-established. A connection to the host that can be replaced (a reconnecting module, a built-in module whose
/// in-process connection is made after its context).
public final class HostLink: HostCalling {
    private let current = Mutex<RPCConnection?>(nil)

    /// Creates a link with no connection yet.
    public init() {}

    /// Points the link at `connection` (`nil` while disconnected).
    /// - Parameter connection: The connection to the host.
    public func set(_ connection: RPCConnection?) {
        current.withLock { $0 = connection }
    }

    public func call<Request, Response>(_ method: RPCMethod<Request, Response>, _ request: Request, options: CallOptions) async throws -> Response {
        guard let connection = current.withLock({ $0 }) else {
            throw RPCError(code: .unavailable, message: "not connected to the host")
        }
        return try await connection.call(method, request, options: options)
    }
}
