import Foundation
import KnockDomain
import KnockModuleKit
import KnockStore

extension CommunityService {
    /// The most needs one page may hold.
    static let maxPage = 1_000

    func registerNeeds(with router: inout RPCRouter) {
        let service = self
        router.register(CommunityMethods.listNeeds) { request, context in
            try await service.serve(context) { caller in try await service.listNeeds(request, caller: caller) }
        }
        router.register(CommunityMethods.getNeed) { request, context in
            try await service.serve(context) { caller in
                try await service.database.need(id: request.id, caller: caller).message(now: service.now())
            }
        }
        router.register(CommunityMethods.raiseNeed) { request, context in
            try await service.serve(context) { caller in try await service.raiseNeed(request, caller: caller) }
        }
        router.register(CommunityMethods.updateNeed) { request, context in
            try await service.serve(context) { caller in try await service.updateNeed(request, caller: caller) }
        }
    }

    func listNeeds(_ request: CommunityListNeedsRequest, caller: Caller) async throws -> CommunityListNeedsResponse {
        let now = now()
        var filter = NeedFilter()
        filter.statuses = Set(try request.statuses.enumerated().map { try NeedStatus(message: $1, field: "statuses[\($0)]") })
        if filter.statuses.isEmpty { filter.statuses = Set(NeedStatus.allCases.filter(\.isActive)) }
        filter.category = request.category.isEmpty ? nil : request.category
        filter.residentID = request.residentID.isEmpty ? nil : request.residentID
        filter.owner = request.owner.isEmpty ? nil : try NeedOwner(text: request.owner)
        filter.overdueAt = request.overdueOnly ? now : nil
        let limit = request.limit == 0 ? 100 : Int(request.limit)
        guard limit <= Self.maxPage else { throw RPCError.invalidField("limit", "must be at most \(Self.maxPage)") }
        let page = try await database.needs(caller: caller, filter: filter, limit: limit, after: request.after.isEmpty ? nil : request.after)
        var response = CommunityListNeedsResponse()
        response.needs = page.items.map { $0.message(now: now) }
        response.nextAfter = page.nextAfter ?? ""
        return response
    }

    func raiseNeed(_ request: CommunityRaiseNeedRequest, caller: Caller) async throws -> CommunityNeed {
        guard !request.residentID.isEmpty else { throw RPCError.invalidField("resident_id", "is required") }
        let resident = try await database.resident(id: request.residentID, caller: caller.unaudited)
        let need = try lifecycle.raise(
            id: UUID().uuidString.lowercased(), resident: resident, category: request.category,
            urgency: try Urgency(message: request.urgency, field: "urgency"), summary: request.summary,
            owner: request.owner.isEmpty ? nil : try NeedOwner(text: request.owner),
            by: caller.provenance, visitID: nil, at: now()
        )
        try await database.raiseNeed(need)
        return need.message(now: now())
    }

    func updateNeed(_ request: CommunityUpdateNeedRequest, caller: Caller) async throws -> CommunityNeed {
        guard !request.id.isEmpty else { throw RPCError.invalidField("id", "is required") }
        let step: NeedLifecycle.Step
        switch request.step {
        case .assign:
            guard !request.owner.isEmpty else { throw RPCError.invalidField("owner", "is required to assign (member:<id>, module:<id> or department:<name>)") }
            step = .assign(try NeedOwner(text: request.owner))
        case .start: step = .start
        case .resolve: step = .resolve
        case .followUp:
            step = .followUp(satisfaction: Int(request.satisfaction))
        case .reopen: step = .reopen
        case .decline: step = .decline
        case .unspecified, .UNRECOGNIZED:
            throw RPCError.invalidField("step", "must be ASSIGN, START, RESOLVE, FOLLOW_UP, REOPEN or DECLINE")
        }
        let need = try await database.transitionNeed(id: request.id, step: step, note: request.note, caller: caller, at: now(), lifecycle: lifecycle)
        await pipeline.emit(
            kind: "need.status_changed", residentID: need.residentID, communityID: need.communityID, needID: need.id,
            attributes: ["from": need.history.last?.from?.rawValue ?? "", "to": need.status.rawValue, "category": need.category],
            caller: caller
        )
        return need.message(now: now())
    }
}
