import Foundation
import KnockDomain
import KnockHost
import KnockModuleKit
import KnockPKI
import KnockStore
import KnockTestSupport
import Logging
import Synchronization

/// ``SmallStreet`` served over real mutual TLS: the community services over a SQLite store.
struct CommunityFixture {
    static let shanghai = SmallStreet.shanghai
    static let morning = SmallStreet.morning
    static let residents = SmallStreet.residents
    static let administrator = SmallStreet.administrator

    let deployment: TestDeployment
    let database: KnockDatabase
    let host: ModuleHost
    let server: RPCServer
    let clock: TestClock

    /// Runs `body` with the street served; everything is closed afterwards.
    static func with(
        builtIns: [any KnockModule] = [], limits: ModuleLimits = ModuleLimits(), policy: HostModuleService.Policy = .init(),
        _ body: (CommunityFixture) async throws -> Void
    ) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("knock-community-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        try await KnockDatabase.withDatabase(at: .sqlite(path: path)) { database in
            try await database.putUnits(SmallStreet.units)
            try await database.putMembers(SmallStreet.members)
            _ = try await database.importRoster(households: SmallStreet.households, residents: residents, caller: administrator)
            try await database.flagKeyPerson(residentID: "r-1", reason: "独居高龄", cadenceDays: 1, caller: administrator, at: morning.addingTimeInterval(-7 * 86_400))

            let clock = TestClock(morning)
            let deployment = try TestDeployment()
            let host = ModuleHost(builtIns: builtIns, policy: policy, limits: { _ in limits },
                                  stores: { DatabaseModuleStore(database: database, module: $0) }, logger: Logger(label: "test.host"))
            var router = RPCRouter()
            router.add(host.service)
            router.add(CommunityService(database: database, coordinator: host.coordinator, deployment: .district("*"), timeZone: shanghai,
                                        now: { clock.now }, logger: Logger(label: "test.community")))
            let server = try await RPCServer.bind(host: "127.0.0.1", port: 0, tls: try deployment.serverContext(), router: router)
            let frozen = router
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                group.addTask { try await host.run(hostRouter: frozen) }
                while host.registry.entries.count < builtIns.count { try await Task.sleep(for: .milliseconds(5)) }
                defer {
                    server.drain()
                    group.cancelAll()
                }
                try await body(CommunityFixture(deployment: deployment, database: database, host: host, server: server, clock: clock))
            }
        }
    }

    /// A connection over mutual TLS as `identity`.
    func connect(_ kind: KnockIdentity.Kind, _ id: String) async throws -> RPCConnection {
        let certificate = try deployment.client(KnockIdentity(kind: kind, id: id))
        return try await RPCConnection.connect(to: "127.0.0.1", port: server.localAddress.port!, tls: try deployment.clientContext(certificate))
    }

    static func visit(_ id: String, resident: String, outcome: CommunityOutcome = .met, requests: [String] = []) -> CommunityRecordVisitRequest {
        var request = CommunityRecordVisitRequest()
        request.visit.id = id
        request.visit.residentID = resident
        request.visit.channel = .door
        request.visit.outcome = outcome
        request.visit.at = .init(date: morning)
        request.visit.requests = requests
        request.visit.observations = "精神不错"
        return request
    }
}

/// A clock the test moves.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
