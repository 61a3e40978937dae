import Synchronization

/// The current connection to the host, for a module in its own process: calls go to whatever
/// connection is up, and fail with `UNAVAILABLE` while it is being re-established.
final class HostLink: HostCalling {
    private let current = Mutex<RPCConnection?>(nil)

    func set(_ connection: RPCConnection?) {
        current.withLock { $0 = connection }
    }

    func call<Request, Response>(_ method: RPCMethod<Request, Response>, _ request: Request, options: CallOptions) async throws -> Response {
        guard let connection = current.withLock({ $0 }) else {
            throw RPCError(code: .unavailable, message: "not connected to the host")
        }
        return try await connection.call(method, request, options: options)
    }
}
