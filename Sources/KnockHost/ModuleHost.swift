public import KnockModuleKit
import KnockPKI
import KnockTLS
public import Logging
import NIOPosix

/// Loads the built-in modules (the targets under Plugins/, linked into the host) and keeps
/// them connected to the host the same way a remote module is: over a connection on which the
/// host calls the module's own methods and the module calls the host. Their strategy points
/// (`knock.module.Assess`, `Plan`, `Handle`) the coordinator calls directly, under the same
/// rules (``LinkedModule``). Remote modules register through ``HostModuleService``; both end up
/// in the same ``ModuleRegistry``.
public final class ModuleHost: Sendable {
    /// Every module the host knows.
    public let registry: ModuleRegistry
    /// Consults the modules at the strategy points.
    public let coordinator: ModuleCoordinator
    let builtIns: [any KnockModule]
    let policy: HostModuleService.Policy
    let stores: @Sendable (String) -> any ModuleStore
    let clock: any ModuleClock
    let logger: Logger

    /// Creates the module host.
    /// - Parameters:
    ///   - builtIns: The modules linked into the host; only those the policy allows are loaded.
    ///   - policy: Which modules are enabled, where, and with what configuration.
    ///   - limits: Time limits per module id.
    ///   - stores: The store of each module id.
    ///   - clock: The modules' clock.
    ///   - logger: Where the host and its modules log.
    public init(
        builtIns: [any KnockModule],
        policy: HostModuleService.Policy = .init(),
        limits: @escaping @Sendable (String) -> ModuleLimits = { _ in ModuleLimits() },
        stores: @escaping @Sendable (String) -> any ModuleStore,
        clock: any ModuleClock = SystemClock(),
        logger: Logger
    ) {
        self.registry = ModuleRegistry(logger: logger)
        self.builtIns = builtIns.filter { policy.allowed($0.descriptor.id) }
        self.policy = policy
        self.stores = stores
        self.clock = clock
        self.logger = logger
        self.coordinator = ModuleCoordinator(registry: registry, limits: limits, communities: policy.communities, logger: logger)
    }

    /// The service remote modules register with and keep their records through.
    public var service: HostModuleService {
        HostModuleService(registry: registry, policy: policy, stores: stores)
    }

    /// Starts the built-in modules and serves them until the task is cancelled.
    /// - Parameters:
    ///   - hostRouter: The host's methods, which built-in modules may call as remote ones do.
    ///   - interceptors: What runs around those calls, as on the host's server (who may call
    ///     what).
    /// - Throws: If a built-in module's descriptor is invalid.
    public func run(hostRouter: RPCRouter, interceptors: [any ServerInterceptor] = []) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            var connections: [RPCConnection] = []
            for module in builtIns {
                let descriptor = module.descriptor
                try descriptor.validate()
                let link = HostLink()
                let context = ModuleContext(
                    moduleID: descriptor.id,
                    logger: logger.with(module: descriptor.id),
                    clock: clock,
                    configuration: policy.configuration(descriptor.id),
                    timeZone: policy.timeZone,
                    store: stores(descriptor.id),
                    host: link
                )
                var router = RPCRouter()
                router.add(ModuleService(module: module, context: context))
                // Both ends on one event loop, the next one for each module: a call crosses the
                // socket pair without waking another thread, and the modules' work spreads over
                // the loops (the cores) instead of piling onto whichever loop the ends fell on.
                let (moduleEnd, hostEnd) = try await RPCConnection.inProcessPair(
                    server: InProcessEnd(router: hostRouter, interceptors: interceptors, peerSeen: Self.identity(of: descriptor.id), logger: logger),
                    client: InProcessEnd(router: router, logger: logger.with(module: descriptor.id)),
                    group: MultiThreadedEventLoopGroup.singleton.next()
                )
                link.set(moduleEnd)
                // Its strategy points are called directly, on its end's loop; its own methods
                // and its calls to the host take the connection.
                let linked = LinkedModule(points: StrategyPoints(module: module, context: context), executor: moduleEnd.taskExecutor)
                registry.add(descriptor, origin: .builtIn, connection: hostEnd, linked: linked)
                connections += [moduleEnd, hostEnd]
                group.addTask(executorPreference: moduleEnd.servingExecutor) { await moduleEnd.run() }
                group.addTask(executorPreference: hostEnd.servingExecutor) { await hostEnd.run() }
            }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(3_600))
            }
            for connection in connections { connection.close() }
        }
    }

    /// Checks every built-in module's descriptor and the configuration this deployment gives it,
    /// so a mistake stops the host before it serves.
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` naming the module and what is wrong.
    public func checkBuiltIns() throws {
        for module in builtIns {
            let id = module.descriptor.id
            do {
                try module.descriptor.validate()
                try module.validate(configuration: policy.configuration(id))
            } catch {
                throw RPCError(code: .failedPrecondition, message: "module \(id): its configuration (modules.\(id).config) is not valid: \((error as? RPCError)?.message ?? "\(error)")")
            }
        }
    }

    /// The identity a built-in module has on its in-process connection.
    static func identity(of moduleID: String) -> PeerIdentity {
        PeerIdentity(
            subject: "CN=\(moduleID) (built-in)", uriSANs: [KnockIdentity(kind: .module, id: moduleID).uri],
            dnsSANs: [], ipAddressSANs: [], serialNumber: "", sha256Fingerprint: "built-in:\(moduleID)",
            notBefore: nil, notAfter: nil, certificateDER: []
        )
    }
}

extension Logger {
    func with(module id: String) -> Logger {
        var logger = self
        logger[metadataKey: "module"] = "\(id)"
        return logger
    }
}
