/// Code that runs around every handler of a server: authorisation, audit, logging, metrics.
///
/// An interceptor may refuse a call by throwing an ``RPCError`` (for example
/// `PERMISSION_DENIED`), change the context the handler sees, or observe how the call ended.
/// Interceptors run in the order they were given, the first outermost.
public protocol ServerInterceptor: Sendable {
    /// Runs around one call.
    /// - Parameters:
    ///   - context: The call's context.
    ///   - next: The rest of the chain and the handler; call it at most once.
    /// - Throws: An ``RPCError`` to end the call with that status; any other error ends it with
    ///   `UNKNOWN`.
    func intercept(
        context: ServerContext,
        next: @Sendable (ServerContext) async throws -> Void
    ) async throws
}
