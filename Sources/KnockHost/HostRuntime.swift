import Foundation
public import KnockModuleKit
import KnockPKI
public import KnockStore
import KnockSupervisor
import KnockTLS
public import Logging
public import ServiceLifecycle
import Synchronization

/// A running host: the listener (mutual TLS, ALPN knock/1), the built-in and dialed-in modules,
/// the host's services, and the revocation list, as one swift-service-lifecycle `Service`.
/// Graceful shutdown (SIGTERM, SIGINT) drains every connection — in-flight calls finish, new
/// ones are refused with `UNAVAILABLE` — then stops the modules.
public final class HostRuntime: Service {
    let state: HostState
    let configuration: HostConfiguration
    /// The modules: registry and coordinator.
    public let modules: ModuleHost
    let logger: Logger
    let version: String
    let database: KnockDatabase?
    private let supervisorSlot = SupervisorSlot()
    private let readySignal: AsyncStream<Int>.Continuation
    /// Yields the port once the host is listening (useful when `listen.port` is 0).
    public let listening: AsyncStream<Int>

    /// Creates the runtime.
    /// - Parameters:
    ///   - state: The state directory (certificates, revocation list).
    ///   - configuration: The configuration.
    ///   - builtIns: The modules linked into this host.
    ///   - stores: The store of each module id.
    ///   - database: The community core's store; without one the host serves modules only (no
    ///     `knock.community.*` methods).
    ///   - version: The host's version, for Health.
    ///   - logger: Where the host logs.
    public init(
        state: HostState, configuration: HostConfiguration, builtIns: [any KnockModule], stores: @escaping @Sendable (String) -> any ModuleStore,
        database: KnockDatabase? = nil, version: String = "0.1.0", logger: Logger
    ) {
        self.state = state
        self.database = database
        self.configuration = configuration
        let policy = HostModuleService.Policy(
            allowed: { configuration.enabledModules.isEmpty || configuration.enabledModules.contains($0) },
            communities: { configuration.moduleCommunities[$0] ?? [] },
            configuration: { configuration.moduleConfiguration[$0] ?? [:] },
            timeZone: TimeZone(identifier: configuration.timeZone) ?? ModuleCalendar.knockDefault.timeZone
        )
        self.modules = ModuleHost(
            builtIns: builtIns, policy: policy,
            limits: { configuration.moduleLimits[$0] ?? ModuleLimits() },
            stores: stores, logger: logger
        )
        self.version = version
        self.logger = logger
        (listening, readySignal) = AsyncStream.makeStream(of: Int.self)
    }

    /// The supervisor of the module executables the configuration lists, once serving.
    public var supervisor: ProcessSupervisor? {
        supervisorSlot.supervisor.withLock { $0 }
    }

    /// A supervisor for `configuration.supervised`, each module with its own certificate
    /// (issued into the state directory the first time) and the host's address in its
    /// environment; `nil` when none is configured.
    func makeSupervisor(port: Int) throws -> ProcessSupervisor? {
        guard !configuration.supervised.isEmpty else { return nil }
        let serverName = state.serverName
        let dialHost = configuration.listenHost == "0.0.0.0" || configuration.listenHost == "::" ? "127.0.0.1" : configuration.listenHost
        let processes = try configuration.supervised.map { module -> SupervisedProcess in
            let folder = state.identityDirectory("module-\(module.id)")
            if !FileManager.default.fileExists(atPath: folder.appendingPathComponent("cert.pem").path) {
                try state.issue(identity: KnockIdentity(kind: .module, id: module.id), commonName: module.id,
                                address: "\(dialHost):\(port)", serverName: serverName)
            }
            return SupervisedProcess(
                id: module.id, executablePath: module.executable, arguments: module.arguments,
                environment: [
                    "KNOCK_HOST": "\(dialHost):\(port)",
                    "KNOCK_SERVER_NAME": serverName,
                    "KNOCK_CA": folder.appendingPathComponent("ca.pem").path,
                    "KNOCK_MODULE_CERT": folder.appendingPathComponent("cert.pem").path,
                    "KNOCK_MODULE_KEY": folder.appendingPathComponent("key.pem").path,
                ],
                // Paths only, never key material (a process's environment is readable in
                // /proc), and none of the host's own variables beyond these.
                inheritedEnvironment: .only(["PATH", "HOME", "LANG", "TZ", "KNOCK_LOG_LEVEL"])
            )
        }
        do {
            return try ProcessSupervisor(processes: processes, logger: logger)
        } catch {
            throw PKIError(.invalidRequest, "modules.supervised: \(error)")
        }
    }

    /// Serves until cancelled or shut down gracefully.
    /// - Throws: If the certificates cannot be loaded or the address cannot be bound.
    public func run() async throws {
        try modules.checkBuiltIns()
        let revocations = RevocationList(file: state.revokedList)
        let grants = GrantBook(file: state.grantsFile)
        var tlsConfiguration = TLSConfiguration.server(
            certificateChain: .file(state.hostCertificate.path),
            privateKey: .file(state.hostKey.path),
            trustRoots: .file(state.caCertificatePath)
        )
        tlsConfiguration.peerCertificateCheck = { !revocations.isRevoked($0) }
        let tls = try TLSContext(configuration: tlsConfiguration)
        let configuration = self.configuration
        let moduleHost = modules
        let methods = Mutex<[RPCMethodDescriptor]>([])
        let bound = ServerSlot()
        var router = RPCRouter(idempotency: IdempotencyCache())
        router.add(moduleHost.service)
        var community: CommunityService?
        if let database {
            let service = CommunityService(
                database: database, coordinator: moduleHost.coordinator, deployment: .district("*"),
                timeZone: TimeZone(identifier: configuration.timeZone) ?? .current, grants: grants.grant(for:), logger: logger
            )
            router.add(service)
            community = service
        }
        let clock = community
        let metrics = HostMetrics(modules: moduleHost.registry) { bound.server.withLock { $0 }?.connectionCount ?? 0 }
        router.add(HostService(registry: moduleHost.registry, hostMethods: { methods.withLock { $0 } }, version: version, metrics: metrics.exposition, supervised: { [supervisorSlot] in
            supervisorSlot.supervisor.withLock { $0 }?.statuses() ?? []
        }) {
            let server = bound.server.withLock { $0 }
            return (false, server?.connectionCount ?? 0)
        })
        methods.withLock { $0 = router.methods }
        let connection = ConnectionConfiguration(
            maxConcurrentCalls: configuration.maxConcurrentCalls,
            keepaliveInterval: configuration.keepaliveSeconds > 0 ? .seconds(configuration.keepaliveSeconds) : nil,
            idleTimeout: configuration.idleTimeoutSeconds > 0 ? .seconds(configuration.idleTimeoutSeconds) : nil,
            agent: "knock-host/\(version)"
        )
        let hostRouter = router
        let authorization = clock.map { [$0.authorization(for: moduleHost.registry)] } ?? []
        let logger = self.logger
        let builtInCount = modules.builtIns.count
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Built-in modules first, so the host never answers without them.
                group.addTask { try await moduleHost.run(hostRouter: hostRouter, interceptors: authorization) }
                while moduleHost.registry.entries.count < builtInCount, !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(5))
                }
                let registry = moduleHost.registry
                let knownMethods = Set(hostRouter.methods.map(\.name))
                let known: @Sendable (String) -> Bool = { method in
                    knownMethods.contains(method)
                        || registry.entry(String(method.prefix { $0 != "." }))?.descriptor.methods.contains { $0.name == method } == true
                }
                let server = try await RPCServer.bind(
                    host: configuration.listenHost, port: configuration.listenPort, tls: tls, configuration: connection,
                    limits: RPCServer.Limits(maxConnections: configuration.maxConnections, maxConnectionsPerPeer: configuration.maxConnectionsPerPeer), router: hostRouter,
                    interceptors: [metrics.interceptor(known: known)] + authorization,
                    logger: logger
                )
                bound.server.withLock { $0 = server }
                let port = server.localAddress.port ?? configuration.listenPort
                logger.info("knock-host serving", metadata: ["name": "\(configuration.name)", "address": "\(configuration.listenHost):\(port)"])
                readySignal.yield(port)
                group.addTask { try await server.run() }
                if let supervisor = try self.makeSupervisor(port: port) {
                    self.supervisorSlot.supervisor.withLock { $0 = supervisor }
                    group.addTask { try await supervisor.run() }
                }
                if let clock, configuration.tickSeconds > 0 {
                    group.addTask { await Self.runClock(clock, every: .seconds(configuration.tickSeconds), logger: logger) }
                }
                group.addTask {
                    // Revocations and grants take effect on a running host within a second: the
                    // next handshake is refused and live connections of the certificate are
                    // closed; a grant recorded by issue-cert applies to the next call.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(500))
                        grants.reload()
                        let added = revocations.reload()
                        guard !added.isEmpty else { continue }
                        for connection in server.connections where added.contains(connection.peer?.sha256Fingerprint ?? "") {
                            logger.warning("closing a revoked certificate's connection", metadata: ["subject": "\(connection.peer?.subject ?? "")"])
                            connection.close()
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            logger.info("draining")
            bound.server.withLock { $0 }?.drain()
        }
        readySignal.finish()
    }
}

extension HostRuntime {
    /// The host's clock: at start, key-person reasons that ended while it was down leave the
    /// list; then every `interval`, reasons ended since, and the scheduled checks of each
    /// community that has a method asking for them. A failure is logged and the clock goes on.
    static func runClock(_ service: CommunityService, every interval: Duration, logger: Logger) async {
        do {
            try await service.endKeyPersonReasons(at: Date())
        } catch {
            logger.warning("could not take ended key-person reasons off the list", metadata: ["error": "\(error)"])
        }
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            do {
                try await service.endKeyPersonReasons(at: Date())
                for community in try await service.communities() where service.ticks(community: community) {
                    let (raised, failures) = try await service.tick(community: community, at: Date())
                    if !raised.isEmpty || !failures.isEmpty {
                        logger.info("scheduled checks", metadata: ["community": "\(community)", "raised": "\(raised.count)", "failed": "\(failures.map(\.moduleID))"])
                    }
                }
            } catch {
                logger.warning("the scheduled checks failed", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// The server once bound, for the services built before it.
final class ServerSlot: Sendable {
    let server = Mutex<RPCServer?>(nil)
}

/// The supervisor once serving.
final class SupervisorSlot: Sendable {
    let supervisor = Mutex<ProcessSupervisor?>(nil)
}
