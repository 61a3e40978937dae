import Foundation
import KnockHost
import KnockModuleKit
import KnockPKI
import KnockTestSupport
import Logging
import Synchronization
import Testing

/// The host with a built-in module and a module in its own connection that dials in over
/// mutual TLS with its own certificate (ModuleRunner, in this process for speed; the example
/// module executable does the same from a second process).
@Suite("Modules in the host: built-in and dialed in")
struct ModuleHostTests {
    struct Harness {
        let deployment: TestDeployment
        let host: ModuleHost
        let server: RPCServer
        let tasks: [Task<Void, any Error>]
        var port: Int { server.localAddress.port! }

        func stop() async {
            server.drain()
            for task in tasks { task.cancel() }
            for task in tasks { _ = await task.result }
        }

        /// Starts a module as its own "process": a ModuleRunner dialing in with its certificate.
        func dialIn(_ module: some KnockModule, certificateFor id: String? = nil) throws -> Task<Void, any Error> {
            let certificate = try deployment.client(KnockIdentity(kind: .module, id: id ?? module.descriptor.id))
            let files = try deployment.writeFiles(for: certificate)
            let configuration = ModuleRunner.Configuration(
                host: "127.0.0.1", port: port, serverName: "localhost",
                certificatePath: files.appendingPathComponent("cert.pem").path,
                privateKeyPath: files.appendingPathComponent("key.pem").path,
                caPath: files.appendingPathComponent("ca.pem").path
            )
            return Task { try await ModuleRunner(module: module, configuration: configuration).run() }
        }

        func member(_ id: String = "m-1") async throws -> RPCConnection {
            let certificate = try deployment.client(KnockIdentity(kind: .member, id: id))
            return try await RPCConnection.connect(to: "127.0.0.1", port: port, tls: try deployment.clientContext(certificate))
        }
    }

    func start(builtIns: [any KnockModule], stores: ModuleStores = ModuleStores(), policy: HostModuleService.Policy = .init(), limits: ModuleLimits = ModuleLimits()) async throws -> Harness {
        try await start(builtIns: builtIns, stores: stores, policy: policy) { _ in limits }
    }

    /// A harness whose modules have each their own limits.
    func start(builtIns: [any KnockModule], stores: ModuleStores = ModuleStores(), policy: HostModuleService.Policy = .init(), limits: @escaping @Sendable (String) -> ModuleLimits) async throws -> Harness {
        let deployment = try TestDeployment()
        let host = ModuleHost(builtIns: builtIns, policy: policy, limits: limits, stores: { stores.store($0) }, logger: Logger(label: "test.host"))
        var router = RPCRouter()
        router.add(host.service)
        let server = try await RPCServer.bind(host: "127.0.0.1", port: 0, tls: try deployment.serverContext(), router: router)
        let frozen = router
        let serving = Task { try await server.run() }
        let modules = Task { try await host.run(hostRouter: frozen) }
        let harness = Harness(deployment: deployment, host: host, server: server, tasks: [serving, modules])
        return harness
    }

    func waitFor(_ condition: @Sendable () -> Bool) async -> Bool {
        for _ in 0..<400 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    func resident(_ id: String) -> CommunityResident {
        var resident = CommunityResident()
        resident.id = id
        resident.name = "刘爷爷"
        resident.tags = [.elderly, .livingAlone]
        resident.communityID = "qinghe"
        return resident
    }

    @Test("a built-in and a dialed-in module both register, serve their own methods through the host, and assess a visit")
    func bothKinds() async throws {
        let harness = try await start(builtIns: [ElderCheck()])
        let remote = try harness.dialIn(ListPlanner(id: "pairing"))
        #expect(await waitFor { harness.host.registry.entries.count == 2 })
        let origins = harness.host.registry.entries.map { "\($0.descriptor.id):\($0.origin.label)" }
        #expect(origins == ["elder-check:built-in", "pairing:remote"])

        // A member calls the built-in module's own method through the host.
        let member = try await harness.member()
        #expect(try await member.call(ElderCheck.watch, resident("r-1")).version == 1)
        let unknown = try await #require(throws: RPCError.self) {
            try await member.call(RPCMethod<CommunityResident, ModulePutResponse>("pairing.Nothing"), resident("r-1"))
        }
        #expect(unknown.code == .unimplemented)
        let noModule = try await #require(throws: RPCError.self) {
            try await member.call(RPCMethod<CommunityResident, ModulePutResponse>("nobody.Watch"), resident("r-1"))
        }
        #expect(noModule.message.contains("no module nobody"))

        var request = ModuleAssessRequest()
        request.resident = resident("r-1")
        request.visit.outcome = .noAnswer
        request.communityID = "qinghe"
        let (suggestions, failures) = await harness.host.coordinator.assess(request)
        #expect(failures.isEmpty)
        #expect(suggestions.map(\.suggestedBy) == ["elder-check"])
        #expect(suggestions.first?.raiseAlert.residentID == "r-1")

        member.close()
        remote.cancel()
        _ = await remote.result
        await harness.stop()
    }

    @Test("a module that hangs in assess is cut off at its time limit; one that fails costs only its own plan")
    func isolation() async throws {
        let harness = try await start(builtIns: [ElderCheck(), StuckModule()], limits: ModuleLimits(assess: .milliseconds(300), plan: .seconds(2)))
        #expect(await waitFor { harness.host.registry.entries.count == 2 })
        var request = ModuleAssessRequest()
        request.resident = resident("r-2")
        request.visit.outcome = .noAnswer
        let started = ContinuousClock.now
        let (suggestions, failures) = await harness.host.coordinator.assess(request)
        let took = ContinuousClock.now - started
        #expect(took < .seconds(2), "assess waited \(took) for a stuck module")
        #expect(suggestions.map(\.suggestedBy) == ["elder-check"])
        #expect(failures.map(\.moduleID) == ["stuck"])
        #expect(failures.first?.code == .deadlineExceeded)
        #expect(harness.host.registry.health("stuck").timedOut == 1)

        var plan = ModulePlanRequest()
        plan.date = "2026-11-29"
        let planned = await harness.host.coordinator.plan(plan)
        #expect(planned.failures.map(\.code) == [.internal])
        #expect(harness.host.registry.health("stuck").failed == 1)
        await harness.stop()
    }

    @Test("every method's planned knocks come back dated and attributed to it, whichever connection it is on")
    func attributedPlans() async throws {
        let policy = HostModuleService.Policy(configuration: { id in
            id == "daily"
                ? ["residents": "r-1,r-2", "why": "独居每日敲", "priority": "90"]
                : ["residents": "r-2,r-3", "why": "结对探访", "priority": "60"]
        })
        let harness = try await start(builtIns: [ListPlanner(id: "daily")], policy: policy)
        let remote = try harness.dialIn(ListPlanner(id: "pairing"))
        #expect(await waitFor { harness.host.registry.entries.count == 2 })
        var request = ModulePlanRequest()
        request.date = "2026-11-29"
        let (knocks, failures) = await harness.host.coordinator.plan(request)
        #expect(failures.isEmpty)
        // In module order; merging them is the community core's KnockPlanner's work.
        #expect(knocks.map(\.residentID) == ["r-1", "r-2", "r-2", "r-3"])
        #expect(knocks.map(\.suggestedBy) == ["daily", "daily", "pairing", "pairing"])
        #expect(knocks.map(\.why) == ["独居每日敲", "独居每日敲", "结对探访", "结对探访"])
        #expect(knocks.allSatisfy { $0.date == "2026-11-29" })
        remote.cancel()
        _ = await remote.result
        await harness.stop()
    }

    /// Plans one knock whose reason is the time zone and day its context gives it.
    struct ZoneReporter: KnockModule {
        let id: String
        var descriptor: ModuleDescriptor {
            ModuleDescriptor(id: id, nameZh: "时区", nameEn: "Time zone", summary: "Says its time zone.", plansDays: true)
        }

        func plan(_ request: ModulePlanRequest, context: ModuleContext) async throws -> [CommunityPlannedKnock] {
            var knock = CommunityPlannedKnock()
            knock.residentID = "r-1"
            // 2026-11-30 23:30 in Wuhan is already 2026-12-01 in Tokyo.
            knock.why = "\(context.timeZone.identifier) \(context.calendar.day(of: Date(timeIntervalSince1970: 1_796_052_600)))"
            return [knock]
        }
    }

    @Test("every module, built in or dialed in, gets the deployment's time zone")
    func timeZone() async throws {
        let policy = HostModuleService.Policy(timeZone: TimeZone(identifier: "Asia/Tokyo")!)
        let harness = try await start(builtIns: [ZoneReporter(id: "inside")], policy: policy)
        let remote = try harness.dialIn(ZoneReporter(id: "outside"))
        #expect(await waitFor { harness.host.registry.entries.count == 2 })
        let (knocks, failures) = await harness.host.coordinator.plan(ModulePlanRequest())
        #expect(failures.isEmpty)
        #expect(knocks.map(\.why) == ["Asia/Tokyo 2026-12-01", "Asia/Tokyo 2026-12-01"])
        remote.cancel()
        _ = await remote.result
        await harness.stop()
    }

    /// Refuses any configuration with a `closes` that is not a time of day.
    struct Strict: KnockModule {
        var descriptor: ModuleDescriptor {
            ModuleDescriptor(id: "strict", nameZh: "严格", nameEn: "Strict", summary: "Checks its configuration.")
        }

        func validate(configuration: [String: String]) throws {
            if let closes = configuration["closes"], ModuleCalendar.minutes(parsing: closes) == nil {
                throw RPCError(code: .invalidArgument, message: "closes: \(closes) is not a time of day (HH:MM)")
            }
        }
    }

    @Test("a built-in module's bad configuration stops the host before it serves, naming the module and the key")
    func badConfiguration() throws {
        let good = ModuleHost(builtIns: [Strict()], policy: .init(configuration: { _ in ["closes": "18:00"] }), stores: { _ in MemoryModuleStore() },
                              logger: Logger(label: "test"))
        try good.checkBuiltIns()
        let bad = ModuleHost(builtIns: [Strict()], policy: .init(configuration: { _ in ["closes": "6pm"] }), stores: { _ in MemoryModuleStore() },
                             logger: Logger(label: "test"))
        let error = #expect(throws: RPCError.self) { try bad.checkBuiltIns() }
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message == "module strict: its configuration (modules.strict.config) is not valid: closes: 6pm is not a time of day (HH:MM)")
    }

    @Test("registration needs a module certificate matching the descriptor and an enabled module")
    func registrationRules() async throws {
        let harness = try await start(builtIns: [], policy: HostModuleService.Policy(allowed: { $0 != "banned" }))
        var request = ModuleRegisterRequest()
        request.descriptor = ListPlanner(id: "pairing").descriptor
        let member = try await harness.member()
        let notModule = try await #require(throws: RPCError.self) { try await member.call(ModuleMethods.register, request) }
        #expect(notModule.code == .permissionDenied)
        member.close()

        // A module certificate for "pairing" claiming to be "canteen".
        let impostor = try harness.dialIn(ListPlanner(id: "canteen"), certificateFor: "pairing")
        let impostorResult = await impostor.result
        #expect(throws: RPCError.self) { try impostorResult.get() }
        let banned = try harness.dialIn(ListPlanner(id: "banned"))
        let bannedResult = await banned.result
        #expect(throws: RPCError.self) { try bannedResult.get() }
        #expect(harness.host.registry.entries.isEmpty)
        await harness.stop()
    }

    @Test("a dialed-in module's store is its own; a disconnected module leaves the registry")
    func storeAndDisconnect() async throws {
        let stores = ModuleStores()
        let harness = try await start(builtIns: [], stores: stores)
        let remote = try harness.dialIn(ElderCheck())
        #expect(await waitFor { harness.host.registry.entry("elder-check") != nil })
        let member = try await harness.member()
        #expect(try await member.call(ElderCheck.watch, resident("r-9")).version == 1)
        #expect(try await stores.store("elder-check").get(collection: "watch", key: "r-9") != nil)
        #expect(try await stores.store("other").get(collection: "watch", key: "r-9") == nil)

        remote.cancel()
        _ = await remote.result
        #expect(await waitFor { harness.host.registry.entry("elder-check") == nil })
        let gone = try await #require(throws: RPCError.self) { try await member.call(ElderCheck.watch, resident("r-9")) }
        #expect(gone.code == .unimplemented)
        member.close()
        await harness.stop()
    }
}
