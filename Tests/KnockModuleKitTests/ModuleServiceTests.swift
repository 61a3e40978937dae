import Foundation
import KnockModuleKit
import KnockTestSupport
import Logging
import Testing

@Suite("A module served through the SDK")
struct ModuleServiceTests {
    func serve(_ module: some KnockModule, configuration: [String: String] = [:]) async throws -> (host: RPCConnection, module: RPCConnection, store: MemoryModuleStore) {
        let store = MemoryModuleStore()
        let context = ModuleContext(moduleID: module.descriptor.id, logger: Logger(label: "test"), configuration: configuration, store: store)
        var router = RPCRouter()
        router.add(ModuleService(module: module, context: context))
        // The module side accepts the host's calls, as on a connection the module dialed.
        let (host, moduleEnd) = try await RPCConnection.inProcessPair(server: InProcessEnd(router: router))
        return (host, moduleEnd, store)
    }

    func resident(_ id: String, tags: [CommunityResidentTag]) -> CommunityResident {
        var resident = CommunityResident()
        resident.id = id
        resident.householdID = "h-\(id)"
        resident.name = "王奶奶"
        resident.tags = tags
        resident.communityID = "qinghe"
        return resident
    }

    @Test("assess: suggestions come back attributed to the module, whatever it claimed")
    func assess() async throws {
        let (host, moduleEnd, _) = try await serve(ElderCheck())
        async let serving: Void = moduleEnd.run()
        var request = ModuleAssessRequest()
        request.resident = resident("r-1", tags: [.elderly, .livingAlone])
        request.visit.outcome = .noAnswer
        request.visit.requests = ["希望社区送餐"]
        let response = try await host.call(ModuleMethods.assess, request)
        #expect(response.suggestions.count == 2)
        #expect(response.suggestions.allSatisfy { $0.suggestedBy == "elder-check" })
        #expect(response.suggestions.first?.raiseAlert.residentID == "r-1")
        #expect(response.suggestions.last?.raiseNeed.category == "meals")

        request.visit.outcome = .met
        request.visit.requests = []
        #expect(try await host.call(ModuleMethods.assess, request).suggestions.isEmpty)
        host.close()
        await serving
    }

    @Test("the module's own method writes its store; its plan reads it back with its configuration")
    func ownMethodAndPlan() async throws {
        let (host, moduleEnd, store) = try await serve(ElderCheck(), configuration: ["cadence": "every day"])
        async let serving: Void = moduleEnd.run()
        #expect(try await host.call(ElderCheck.watch, resident("r-7", tags: [.advancedAge])).version == 1)
        #expect(try await host.call(ElderCheck.watch, resident("r-7", tags: [.advancedAge])).version == 2)
        #expect(try await host.call(ElderCheck.watch, resident("r-8", tags: [.advancedAge])).version == 1)
        let refused = try await #require(throws: RPCError.self) { try await host.call(ElderCheck.watch, CommunityResident()) }
        #expect(refused.code == .invalidArgument)

        var request = ModulePlanRequest()
        request.date = "2026-11-29"
        request.communityID = "qinghe"
        let plan = try await host.call(ModuleMethods.plan, request)
        #expect(plan.knocks.map(\.residentID) == ["r-7", "r-8"])
        #expect(plan.knocks.allSatisfy { $0.suggestedBy == "elder-check" && $0.date == "2026-11-29" })
        #expect(plan.knocks.first?.why == "watched elder (every day)")
        #expect(try await store.get(collection: "watch", key: "r-7")?.version == 2)

        let descriptor = try await host.call(ModuleMethods.describe, ModuleDescribeRequest())
        #expect(descriptor.nameZh == "独居老人关注")
        #expect(descriptor.methods.map(\.name) == ["elder-check.Watch"])
        // Strategy points a module does not implement contribute nothing.
        #expect(try await host.call(ModuleMethods.handle, ModuleEvent()).suggestions.isEmpty)
        host.close()
        await serving
    }

    @Test("descriptors are validated: id, names, namespaced methods")
    func validation() throws {
        var good = ElderCheck().descriptor
        try good.validate()
        good.id = "Elder Check"
        #expect(throws: RPCError.self) { try good.validate() }
        var unnamed = ElderCheck().descriptor
        unnamed.nameZh = ""
        #expect(throws: RPCError.self) { try unnamed.validate() }
        var stray = ElderCheck().descriptor
        var method = ModuleMethodInfo()
        method.name = "canteen.PlaceOrder"
        stray.methods.append(method)
        let error = try #require(throws: RPCError.self) { try stray.validate() }
        #expect(error.message.contains("canteen.PlaceOrder"))
    }

    @Test("a module process reads where the host is from its environment, and names what is missing")
    func environment() throws {
        let configuration = try ModuleRunner.Configuration.fromEnvironment([
            "KNOCK_HOST": "127.0.0.1:7443", "KNOCK_MODULE_CERT": "/m/cert.pem", "KNOCK_MODULE_KEY": "/m/key.pem", "KNOCK_CA": "/m/ca.pem",
        ])
        #expect(configuration.port == 7443)
        #expect(configuration.serverName == "127.0.0.1")
        let missing = try #require(throws: RPCError.self) {
            _ = try ModuleRunner.Configuration.fromEnvironment(["KNOCK_HOST": "127.0.0.1:7443"])
        }
        #expect(missing.message.contains("KNOCK_MODULE_CERT"))
        #expect(throws: RPCError.self) { _ = try ModuleRunner.Configuration.fromEnvironment(["KNOCK_HOST": "nohost"]) }
    }

    @Test("the memory store keeps the host store's contract: versions, expected versions, atomic batches")
    func storeContract() async throws {
        let store = MemoryModuleStore()
        var record = ModuleRecord()
        record.collection = "orders"
        record.key = "o-1"
        #expect(try await store.put(record, expectedVersion: 0) == 1)
        let conflict = try await #require(throws: RPCError.self) { try await store.put(record, expectedVersion: 0) }
        #expect(conflict.code == .failedPrecondition)
        var put = ModulePutRequest()
        put.record = record
        put.record.key = "o-2"
        var badPut = ModulePutRequest()
        badPut.record = record
        badPut.expectedVersion = 9
        var first = ModuleBatchRequest.Operation()
        first.put = put
        var second = ModuleBatchRequest.Operation()
        second.put = badPut
        await #expect(throws: RPCError.self) { try await store.batch([first, second]) }
        #expect(try await store.get(collection: "orders", key: "o-2") == nil, "a failed batch wrote part of itself")
    }
}
