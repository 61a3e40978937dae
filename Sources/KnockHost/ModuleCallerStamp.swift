import KnockModuleKit

/// Vouches for the caller of every call the host forwards to a module's own methods: resolves
/// the certificate (and, for a member, the roster entry) and puts the result in the call's
/// metadata as ``ModuleCaller``, replacing whatever the caller put there itself. A member no
/// longer on the roster is refused before the module is asked.
struct ModuleCallerStamp: ServerInterceptor {
    let resolver: CallerResolver
    let registry: ModuleRegistry

    func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        let moduleID = context.method.prefix { $0 != "." }
        guard !context.method.hasPrefix("knock."), registry.entry(String(moduleID)) != nil else {
            return try await next(context)
        }
        let caller = try await resolver.moduleCaller(of: context)
        var stamped = context
        var metadata = context.metadata
        caller.stamp(&metadata)
        stamped.metadata = metadata
        try await next(stamped)
    }
}

extension CommunityService {
    /// The interceptor that vouches for callers of the modules' own methods (``ModuleCaller``),
    /// for a server that routes calls to the modules of `registry`.
    public func moduleCallerStamp(for registry: ModuleRegistry) -> any ServerInterceptor {
        ModuleCallerStamp(resolver: resolver, registry: registry)
    }
}
