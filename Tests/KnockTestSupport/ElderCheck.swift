import Foundation
public import KnockModuleKit
import SwiftProtobuf
import Synchronization

/// A small module written the way a community would write one, used to test the SDK.
public struct ElderCheck: KnockModule {
    public init() {}

    public static let watch = RPCMethod<CommunityResident, ModulePutResponse>("elder-check.Watch")

    public var descriptor: ModuleDescriptor {
        ModuleDescriptor(
            id: "elder-check", nameZh: "独居老人关注", nameEn: "Elders living alone",
            summary: "Alerts when an elder living alone does not answer; plans knocks for watched elders.",
            methods: [Self.watch.descriptor], assessesVisits: true, plansDays: true
        )
    }

    public func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] {
        var suggestions: [ModuleSuggestion] = []
        if request.visit.outcome == .noAnswer, request.resident.tags.contains(.livingAlone) {
            var alert = ModuleRaiseAlert()
            alert.residentID = request.resident.id
            alert.urgency = .high
            alert.message = "\(request.resident.name) did not answer"
            var suggestion = ModuleSuggestion()
            suggestion.raiseAlert = alert
            suggestion.suggestedBy = "someone-else"  // the SDK must overwrite this
            suggestions.append(suggestion)
        }
        if request.visit.requests.contains(where: { $0.contains("送餐") }) {
            suggestions.append(.raisingNeed(residentID: request.resident.id, category: "meals", summary: "asked for meal delivery"))
        }
        return suggestions
    }

    public func plan(_ request: ModulePlanRequest, context: ModuleContext) async throws -> [CommunityPlannedKnock] {
        let watched = try await context.store.all(CommunityResident.self, collection: "watch", where: ["community": request.communityID])
        return watched.map { resident in
            var knock = CommunityPlannedKnock()
            knock.residentID = resident.id
            knock.householdID = resident.householdID
            knock.channel = .door
            knock.why = "watched elder (\(context.configuration["cadence"] ?? "daily"))"
            knock.priority = 80
            knock.date = request.date
            return knock
        }
    }

    public func registerMethods(with router: inout RPCRouter, context: ModuleContext) {
        router.register(Self.watch) { resident, _ in
            guard !resident.id.isEmpty else { throw RPCError(code: .invalidArgument, message: "resident id is missing") }
            var response = ModulePutResponse()
            response.version = try await context.store.put(resident, collection: "watch", key: resident.id, index: ["community": resident.communityID])
            return response
        }
    }
}

/// A module whose assess never returns (until cancelled) and whose plan fails: the host must
/// cut it off and carry on without it.
public struct StuckModule: KnockModule {
    public let id: String

    public init(id: String = "stuck") {
        self.id = id
    }

    public var descriptor: ModuleDescriptor {
        var descriptor = ModuleDescriptor()
        descriptor.id = id
        descriptor.nameZh = "卡住的方法"
        descriptor.nameEn = "A stuck method"
        descriptor.version = "0.0.1"
        descriptor.assessesVisits = true
        descriptor.plansDays = true
        return descriptor
    }

    public func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] {
        try await Task.sleep(for: .seconds(3_600))
        return []
    }

    public func plan(_ request: ModulePlanRequest, context: ModuleContext) async throws -> [CommunityPlannedKnock] {
        throw RPCError(code: .internal, message: "the stuck method cannot plan")
    }
}

/// A module that plans a knock for every resident id in its configuration key `residents`
/// (comma-separated), with the reason in `why`.
public struct ListPlanner: KnockModule {
    public let id: String

    public init(id: String) {
        self.id = id
    }

    public var descriptor: ModuleDescriptor {
        var descriptor = ModuleDescriptor()
        descriptor.id = id
        descriptor.nameZh = "名单计划"
        descriptor.nameEn = "List planner"
        descriptor.version = "1.0.0"
        descriptor.plansDays = true
        return descriptor
    }

    public func plan(_ request: ModulePlanRequest, context: ModuleContext) async throws -> [CommunityPlannedKnock] {
        (context.configuration["residents"] ?? "").split(separator: ",").map { id in
            var knock = CommunityPlannedKnock()
            knock.residentID = String(id)
            knock.why = context.configuration["why"] ?? String(id)
            knock.priority = UInt32(context.configuration["priority"] ?? "50") ?? 50
            knock.channel = .door
            return knock
        }
    }
}

/// A memory store per module id, as the host's database keeps one namespace per module.
public final class ModuleStores: Sendable {
    private let byModule = Mutex<[String: MemoryModuleStore]>([:])

    public init() {}

    /// The store of `id`, created on first use.
    public func store(_ id: String) -> MemoryModuleStore {
        byModule.withLock { stores in
            if let store = stores[id] { return store }
            let store = MemoryModuleStore()
            stores[id] = store
            return store
        }
    }
}
