import Foundation
import KnockModuleKit

/// 邻里守望 Neighbourhood watch: a door-knocking method written by a community outside the
/// Knock repository, as an example. It depends on KnockModuleKit only and runs as its own
/// process that dials the host with its own certificate (`knock://module/elder-watch`).
///
/// - `elder-watch.Watch` puts a resident on the watch list (kept in the module's own store);
///   `elder-watch.Unwatch` takes them off.
/// - Assessing a visit: an elder living alone who does not answer raises an alert and a knock
///   again today.
/// - Planning a day: a knock for every watched resident of the community.
struct ElderWatch: KnockModule {
    static let watch = RPCMethod<CommunityResident, ModulePutResponse>("elder-watch.Watch")
    static let unwatch = RPCMethod<CommunityResident, ModuleDeleteResponse>("elder-watch.Unwatch")
    /// A server stream: every watched resident of a community, then each one added later, until
    /// the caller stops following.
    static let follow = RPCMethod<ModulePlanRequest, CommunityResident>("elder-watch.Follow", kind: .serverStream)

    var descriptor: ModuleDescriptor {
        ModuleDescriptor(
            id: "elder-watch", nameZh: "邻里守望", nameEn: "Neighbourhood watch",
            summary: "Watched elders get a knock every day; an elder living alone who does not answer raises an alert.",
            methods: [Self.watch.descriptor, Self.unwatch.descriptor, Self.follow.descriptor], assessesVisits: true, plansDays: true
        )
    }

    func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] {
        guard request.visit.outcome == .noAnswer, request.resident.tags.contains(.livingAlone) else { return [] }
        var alert = ModuleRaiseAlert()
        alert.residentID = request.resident.id
        alert.urgency = request.resident.tags.contains(.recentlyDischarged) ? .critical : .high
        alert.message = "\(request.resident.name) (living alone) did not answer the door"
        var knock = CommunityPlannedKnock()
        knock.residentID = request.resident.id
        knock.householdID = request.resident.householdID
        knock.channel = .phone
        knock.why = "no answer at the door: phone today"
        knock.priority = 95
        knock.date = Self.day(context.clock.now())
        var first = ModuleSuggestion()
        first.raiseAlert = alert
        var second = ModuleSuggestion()
        second.scheduleKnock = knock
        return [first, second]
    }

    func plan(_ request: ModulePlanRequest, context: ModuleContext) async throws -> [CommunityPlannedKnock] {
        try await context.store.all(CommunityResident.self, collection: "watched", where: ["community": request.communityID]).map { resident in
            var knock = CommunityPlannedKnock()
            knock.residentID = resident.id
            knock.householdID = resident.householdID
            knock.channel = .door
            knock.why = "邻里守望: daily knock"
            knock.priority = 70
            knock.date = request.date
            return knock
        }
    }

    func registerMethods(with router: inout RPCRouter, context: ModuleContext) {
        router.register(Self.watch) { resident, _ in
            guard !resident.id.isEmpty, !resident.communityID.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "a watched resident needs an id and a community_id")
            }
            var response = ModulePutResponse()
            response.version = try await context.store.put(resident, collection: "watched", key: resident.id, index: ["community": resident.communityID])
            context.logger.info("watching a resident", metadata: ["resident": "\(resident.id)"])
            return response
        }
        router.register(Self.follow) { request, _, writer in
            var sent = Set<String>()
            while !Task.isCancelled {
                let watched = try await context.store.all(CommunityResident.self, collection: "watched", where: ["community": request.communityID])
                for resident in watched where !sent.contains(resident.id) {
                    try await writer.write(resident)
                    sent.insert(resident.id)
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        router.register(Self.unwatch) { resident, _ in
            var response = ModuleDeleteResponse()
            response.deleted = try await context.store.delete(collection: "watched", key: resident.id)
            return response
        }
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
