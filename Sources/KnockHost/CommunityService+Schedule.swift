import Foundation
import KnockDomain
import KnockModuleKit
import KnockStore
import SwiftProtobuf

/// Alerts raised directly, and the methods' scheduled checks: the `tick` event the host sends
/// once a minute for each community (a key person not reached by the end of the day, a ladder
/// step not acknowledged in time, a child not collected by closing time).
extension CommunityService {
    func registerSchedule(with router: inout RPCRouter) {
        let service = self
        router.register(CommunityMethods.raiseAlert) { request, context in
            try await service.serve(context) { caller in try await service.raiseAlert(request, caller: caller) }
        }
        router.register(CommunityMethods.tick) { request, context in
            try await service.serve(context) { caller in
                guard case .administrator = caller.provenance else {
                    throw RPCError(code: .permissionDenied, message: "running the scheduled checks is for the deployment's administrators")
                }
                let at = request.hasAt ? request.at.date : service.now()
                let communities: [String]
                if request.communityID.isEmpty {
                    communities = try await service.database.units(in: caller.scope, level: .community).map(\.id)
                } else {
                    guard try await service.database.units(in: caller.scope, level: .community).contains(where: { $0.id == request.communityID }) else {
                        throw RPCError(code: .notFound, message: "no community \(request.communityID)")
                    }
                    communities = [request.communityID]
                }
                _ = try await service.endKeyPersonReasons(at: at)
                var response = CommunityTickResponse()
                for community in communities {
                    let (raised, failures) = try await service.tick(community: community, at: at)
                    response.raised += raised
                    response.problems += failures.map(\.problem)
                }
                return response
            }
        }
    }

    func raiseAlert(_ request: CommunityRaiseAlertRequest, caller: Caller) async throws -> CommunityAlert {
        guard !request.residentID.isEmpty else { throw RPCError.invalidField("resident_id", "is required") }
        guard !request.message.allSatisfy(\.isWhitespace) else { throw RPCError.invalidField("message", "is required") }
        // Only about a resident the caller can see: out of scope reads as unknown.
        let resident = try await database.resident(id: request.residentID, caller: caller.unaudited)
        let alert = Alert(
            id: request.id.isEmpty ? UUID().uuidString.lowercased() : request.id, residentID: resident.id,
            gridID: resident.gridID, communityID: resident.communityID, streetID: resident.streetID,
            urgency: try Urgency(message: request.urgency, field: "urgency"), message: request.message,
            raisedBy: caller.provenance, raisedAt: now()
        )
        let (stored, raised) = try await database.raiseAlert(alert)
        // A retry (the same alert again) answers what is stored and tells the methods nothing twice.
        if raised {
            await pipeline.emit(kind: "alert.raised", residentID: stored.residentID, communityID: stored.communityID,
                                attributes: ["alert_id": stored.id, "message": stored.message], caller: caller)
        }
        return stored.wireMessage
    }

    /// Runs the scheduled checks of every method enabled for `community` that asked for the
    /// `tick` event, as of `at`, and applies what they suggest with the host as the caller.
    /// - Returns: What was raised and which methods did not answer.
    /// - Throws: ``StoreError`` if the suggestions cannot be applied.
    public func tick(community: String, at: Date) async throws -> (raised: [CommunityAppliedSuggestion], failures: [ModuleFailure]) {
        var event = ModuleEvent()
        event.kind = Self.tickEvent
        event.at = Google_Protobuf_Timestamp(date: at)
        event.communityID = community
        let day = CalendarDay(containing: at, in: timeZone)
        let minutes = Int(at.timeIntervalSince(day.start(in: timeZone)) / 60)
        event.attributes = [
            "date": day.description,
            "time": String(format: "%02d:%02d", minutes / 60, minutes % 60),
        ]
        return try await pipeline.tell(event, caller: Caller(provenance: .host, scope: resolver.deployment))
    }

    /// Takes the key-person reasons that have ended by `at` (their `until`) off the list; an
    /// entry leaves with its last reason. The host's clock does this at start and every minute,
    /// before the methods' checks; an administrator's `Tick` does it too.
    /// - Returns: The reasons taken off, by resident.
    /// - Throws: ``StoreError`` if the store fails.
    @discardableResult
    public func endKeyPersonReasons(at: Date) async throws -> [String: [String]] {
        let ended = try await database.endKeyPersonReasons(endedBy: at)
        if !ended.isEmpty {
            logger.info("key-person reasons ended", metadata: [
                "residents": "\(ended.count)", "reasons": "\(ended.values.reduce(0) { $0 + $1.count })",
            ])
        }
        return ended
    }

    /// Whether any method enabled for `community` wants the `tick` event.
    public func ticks(community: String) -> Bool {
        coordinator.wants(Self.tickEvent, in: community)
    }

    /// Every community in the deployment, for the host's clock.
    public func communities() async throws -> [String] {
        try await database.units(in: resolver.deployment, level: .community).map(\.id)
    }

    /// The event kind of the scheduled checks.
    public static let tickEvent = "tick"
}
