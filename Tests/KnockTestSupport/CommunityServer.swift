public import Foundation
public import KnockHost
public import KnockModuleKit
public import KnockPKI
public import KnockStore
public import Logging

/// The community services and the given methods over mutual TLS on loopback, for tests and
/// benchmarks: a test deployment's certificates, a module host, the services, one server.
public struct CommunityServer: Sendable {
    public let deployment: TestDeployment
    public let host: ModuleHost
    public let service: CommunityService
    public let server: RPCServer

    /// Serves `database` while `body` runs, then drains and stops.
    /// - Parameters:
    ///   - database: The store.
    ///   - builtIns: The methods loaded (all registered before `body` runs).
    ///   - limits: Each method's time limits.
    ///   - policy: Which methods are allowed, their communities and configuration.
    ///   - grants: Roles and scopes recorded for integrators and departments.
    ///   - now: The services' clock.
    ///   - moduleClock: The methods' clock; `nil` for the system clock.
    ///   - connection: Each connection's limits.
    ///   - logger: Where the host logs.
    ///   - body: Uses the server.
    public static func serve(
        _ database: KnockDatabase, builtIns: [any KnockModule], limits: ModuleLimits = ModuleLimits(),
        policy: HostModuleService.Policy = .init(), grants: [AccessGrant] = [], now: @escaping @Sendable () -> Date = { Date() },
        moduleClock: (any ModuleClock)? = nil,
        connection: ConnectionConfiguration = ConnectionConfiguration(), logger: Logger = Logger(label: "test.host"),
        _ body: (CommunityServer) async throws -> Void
    ) async throws {
        let deployment = try TestDeployment()
        let host = ModuleHost(builtIns: builtIns, policy: policy, limits: { _ in limits },
                              stores: { DatabaseModuleStore(database: database, module: $0) }, clock: moduleClock ?? SystemClock(), logger: logger)
        let service = CommunityService(database: database, coordinator: host.coordinator, deployment: .district("*"),
                                       timeZone: SmallStreet.shanghai,
                                       grants: { identity in grants.first { $0.identity == identity } }, now: now, logger: logger)
        var router = RPCRouter()
        router.add(host.service)
        router.add(service)
        router.add(HostService(registry: host.registry, hostMethods: { [] }, version: "test") { (false, 0) })
        let server = try await RPCServer.bind(host: "127.0.0.1", port: 0, tls: try deployment.serverContext(), configuration: connection, router: router,
                                              interceptors: [service.authorization(for: host.registry)])
        let frozen = router
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            group.addTask { try await host.run(hostRouter: frozen, interceptors: [service.authorization(for: host.registry)]) }
            while host.registry.entries.count < builtIns.count { try await Task.sleep(for: .milliseconds(5)) }
            defer {
                server.drain()
                group.cancelAll()
            }
            try await body(CommunityServer(deployment: deployment, host: host, service: service, server: server))
        }
    }

    /// A connection over mutual TLS as `kind`/`id`.
    public func connect(_ kind: KnockIdentity.Kind, _ id: String, configuration: ConnectionConfiguration = ConnectionConfiguration()) async throws -> RPCConnection {
        let certificate = try deployment.client(KnockIdentity(kind: kind, id: id))
        return try await RPCConnection.connect(to: "127.0.0.1", port: server.localAddress.port!, tls: try deployment.clientContext(certificate),
                                               configuration: configuration)
    }
}
