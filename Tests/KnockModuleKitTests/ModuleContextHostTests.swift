import Foundation
import KnockModuleKit
import KnockTestSupport
import Logging
import Synchronization
import Testing

/// What a module's context reads and does through the host for the methods: a resident, and a
/// resident's needs resolved once the work they asked for is done.
@Suite("Module context: residents and needs through the host")
struct ModuleContextHostTests {
    /// The needs requests a scripted host received.
    final class Requests: Sendable {
        let listed = Mutex<[CommunityListNeedsRequest]>([])
        let updates = Mutex<[CommunityUpdateNeedRequest]>([])
    }

    static func context(host: (any HostCalling)?) -> ModuleContext {
        ModuleContext(moduleID: "canteen", logger: Logger(label: "test"), store: MemoryModuleStore(), host: host)
    }

    static func need(_ id: String, _ status: CommunityNeedStatus) -> CommunityNeed {
        var need = CommunityNeed()
        need.id = id
        need.status = status
        return need
    }

    @Test("a resident is read through the host; one the host does not know is NOT_FOUND, no host FAILED_PRECONDITION")
    func resident() async throws {
        var known = CommunityResident()
        known.id = "r-1"
        known.name = "王秀英"
        let context = Self.context(host: ScriptedHost(residents: [known]))
        #expect(try await context.resident("r-1").name == "王秀英")
        let unknown = try await #require(throws: RPCError.self) { try await context.resident("r-9") }
        #expect(unknown.code == .notFound)
        #expect(unknown.message == "resident r-9 is not known")
        let alone = try await #require(throws: RPCError.self) { try await Self.context(host: nil).resident("r-1") }
        #expect(alone.code == .failedPrecondition)
    }

    @Test("a resident's needs of a category are resolved, an open one assigned first; failures resolve nothing")
    func resolveNeeds() async throws {
        let requests = Requests()
        let host = ScriptedHost(residents: [], others: [
            CommunityMethods.listNeeds.name: { request in
                requests.listed.withLock { $0.append(request as! CommunityListNeedsRequest) }
                var response = CommunityListNeedsResponse()
                response.needs = [Self.need("n-1", .open), Self.need("n-2", .assigned)]
                return response
            },
            CommunityMethods.updateNeed.name: { request in
                let update = request as! CommunityUpdateNeedRequest
                requests.updates.withLock { $0.append(update) }
                return Self.need(update.id, update.step == .resolve ? .resolved : .assigned)
            },
        ])
        let resolved = await Self.context(host: host).resolveNeeds(
            of: "r-1", category: "meals", ownedBy: "module:canteen", assigningTo: "module:canteen", note: "enrolled"
        )
        #expect(resolved == ["n-1", "n-2"])
        let list = try #require(requests.listed.withLock { $0.first })
        #expect(list.residentID == "r-1")
        #expect(list.category == "meals")
        #expect(list.owner == "module:canteen")
        let steps = requests.updates.withLock { $0.map { "\($0.id) \($0.step) \($0.owner) \($0.note)" } }
        #expect(steps == ["n-1 assign module:canteen ", "n-1 resolve  enrolled", "n-2 resolve  enrolled"])

        let refusing = ScriptedHost(residents: [])  // answers ListNeeds with UNIMPLEMENTED
        #expect(await Self.context(host: refusing).resolveNeeds(of: "r-1", category: "meals", assigningTo: "module:canteen", note: "").isEmpty)
        #expect(await Self.context(host: nil).resolveNeeds(of: "r-1", category: "meals", assigningTo: "module:canteen", note: "").isEmpty)
    }
}
