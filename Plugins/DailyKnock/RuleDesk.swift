import Foundation
import KnockModuleKit

/// The `daily-knock.*` methods: the rules in force, and which of them apply to a resident.
struct RuleDesk: Sendable {
    let context: ModuleContext

    /// The rules in force for a community.
    /// - Throws: ``RPCError``: `INVALID_ARGUMENT` for an administrator naming no community;
    ///   `PERMISSION_DENIED` for a member asking about another community or a caller who is
    ///   neither a member nor an administrator; `FAILED_PRECONDITION` for a bad configuration.
    func explain(_ request: DailyKnockExplainRulesRequest, caller: ModuleCaller) async throws -> DailyKnockExplainRulesResponse {
        let community: String
        if caller.isAdministrator {
            guard !request.communityID.isEmpty else { throw RPCError(code: .invalidArgument, message: "community_id: is required for administrators") }
            community = request.communityID
        } else if caller.isMember {
            guard request.communityID.isEmpty || request.communityID == caller.communityID else {
                throw RPCError(code: .permissionDenied, message: "\(caller.identity) may see the rules of community \(caller.communityID) only")
            }
            community = caller.communityID
        } else {
            throw RPCError(code: .permissionDenied, message: "the key-person rules are for members and administrators, not \(caller.identity)")
        }
        let settings = try context.configuration(as: DailyKnockSettings.self)
        var response = DailyKnockExplainRulesResponse()
        response.communityID = community
        response.rules = KeyPersonRules(community: community, settings: settings, calendar: context.calendar).rules
        response.dayEnds = settings.dayEnds
        return response
    }

    /// Which rules apply to a resident today, and why.
    /// - Throws: ``RPCError``: `INVALID_ARGUMENT` for a missing resident id; `NOT_FOUND` for a
    ///   resident unknown or outside the member's community; `PERMISSION_DENIED` for a caller
    ///   who is neither a member nor an administrator; `UNAVAILABLE` without a host.
    func evaluate(_ request: DailyKnockEvaluateRequest, caller: ModuleCaller) async throws -> DailyKnockEvaluateResponse {
        guard caller.isAdministrator || caller.isMember else {
            throw RPCError(code: .permissionDenied, message: "the key-person rules are for members and administrators, not \(caller.identity)")
        }
        let id = request.residentID.trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty, id.utf8.count <= 128 else { throw RPCError(code: .invalidArgument, message: "resident_id: is required (at most 128 bytes)") }
        let settings = try context.configuration(as: DailyKnockSettings.self)
        guard let host = context.host else {
            throw RPCError(code: .unavailable, message: "daily-knock cannot reach the host to read resident \(id)")
        }
        var lookup = CommunityGetResidentRequest()
        lookup.id = id
        let resident = try await host.call(CommunityMethods.getResident, lookup, options: CallOptions(timeout: .seconds(5)))
        if !caller.isAdministrator, resident.communityID != caller.communityID {
            throw RPCError(code: .notFound, message: "no resident \(id)")
        }
        let now = context.clock.now()
        let seen = try await context.store.get(DailyKnockDischargeSeen.self, collection: DailyKnock.discharged, key: resident.id)
        let rules = KeyPersonRules(community: resident.communityID, settings: settings, calendar: context.calendar)
        var response = DailyKnockEvaluateResponse()
        response.residentID = resident.id
        response.resident = resident
        response.findings = rules.evaluate(resident, at: now, dischargeSeen: seen.map(\.firstSeen.date))
        response.cadenceDays = KeyPersonRules.cadence(of: response.findings)
        return response
    }
}
