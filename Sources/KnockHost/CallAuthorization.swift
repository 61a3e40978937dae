import KnockDomain
import KnockModuleKit
import KnockPKI

/// Who may call what, checked around every handler of the host — on its TLS server and on the
/// in-process connections of built-in modules — so no service can forget:
///
/// | methods | who may call |
/// |---|---|
/// | `knock.community.*` | a caller ``CallerResolver`` resolves, holding the method's permission (``CommunityMethods/permission(for:)``); the handler gets that caller |
/// | `knock.host.RegisterModule`, `knock.store.*` (the module contract) | modules, by their certificate |
/// | `knock.host.ListModules`, `knock.host.Metrics` | administrators, the host, and community staff |
/// | `knock.host.Describe`, `knock.host.Health` | anyone with a certificate of the deployment |
/// | `<module-id>.*` (a module's own methods) | anyone the host can vouch for: the caller is put in the call's metadata (``ModuleCaller``), replacing any the caller claimed |
struct CallAuthorization: ServerInterceptor {
    let resolver: CallerResolver
    let registry: ModuleRegistry

    /// Methods that show the deployment's workings (modules, metrics) rather than residents.
    static let operatorMethods: Set<String> = ["knock.host.ListModules", "knock.host.Metrics"]

    func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        let method = context.method
        if method.hasPrefix("knock.community.") {
            let caller = try await resolver.caller(of: context)
            try await CallerResolver.$resolved.withValue((method, context.peer?.sha256Fingerprint ?? "", caller)) { try await next(context) }
        } else if method.hasPrefix("knock.store.") || method == ModuleMethods.register.name {
            _ = try context.callingModuleID()
            try await next(context)
        } else if Self.operatorMethods.contains(method) {
            let caller = try await resolver.moduleCaller(of: context)
            guard caller.isAdministrator || caller.roles.contains(MemberRole.staff.rawValue) else {
                throw RPCError(code: .permissionDenied, message: "\(method) is for administrators and community staff; \(caller.identity) is neither")
            }
            try await next(context)
        } else if method.hasPrefix("knock.") {
            // Describe, Health and anything else of the host's: a verified certificate suffices
            // (an unknown method gets UNIMPLEMENTED from the router).
            try await next(context)
        } else if registry.entry(String(method.prefix { $0 != "." })) != nil {
            let caller = try await resolver.moduleCaller(of: context)
            var stamped = context
            var metadata = context.metadata
            caller.stamp(&metadata)
            stamped.metadata = metadata
            try await next(stamped)
        } else {
            try await next(context)
        }
    }
}

extension CommunityService {
    /// The interceptor that decides who may call what on a server (or in-process connection)
    /// routing to the host's services and the modules of `registry` (``CallAuthorization``).
    public func authorization(for registry: ModuleRegistry) -> any ServerInterceptor {
        CallAuthorization(resolver: resolver, registry: registry)
    }
}
