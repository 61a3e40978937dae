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

    var descriptor: ModuleDescriptor {
        var descriptor = ModuleDescriptor()
        descriptor.id = "elder-watch"
        descriptor.nameZh = "邻里守望"
        descriptor.nameEn = "Neighbourhood watch"
        descriptor.version = "1.0.0"
        descriptor.summary = "Watched elders get a knock every day; an elder living alone who does not answer raises an alert."
        descriptor.methods = [Self.watch.descriptor, Self.unwatch.descriptor].map { method in
            var info = ModuleMethodInfo()
            info.name = method.name
            info.requestType = method.requestType
            info.responseType = method.responseType
            return info
        }
        descriptor.assessesVisits = true
        descriptor.plansDays = true
        return descriptor
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
