import Foundation
import KnockDomain
import KnockModuleKit
import KnockPKI
import KnockStore

extension AuditEntry {
    var wireMessage: CommunityAuditEntry {
        var message = CommunityAuditEntry()
        message.at = .init(date: at)
        message.by = by.text
        message.action = action
        message.residentIds = residentIDs
        message.via = via ?? ""
        return message
    }
}

extension Provenance {
    /// Who a certificate identity is, for the record.
    init?(identity: KnockIdentity) {
        switch identity.kind {
        case .member: self = .member(identity.id)
        case .administrator: self = .administrator(identity.id)
        case .module: self = .module(identity.id)
        case .integrator: self = .integrator(identity.id)
        case .department: self = .department(identity.id)
        case .host: self = .host
        default: return nil
        }
    }
}

extension CommunityService {
    func registerLists(with router: inout RPCRouter) {
        let service = self
        router.register(CommunityMethods.listKeyPersons) { request, context in
            try await service.serve(context) { caller in try await service.listKeyPersons(request, caller: caller) }
        }
        router.register(CommunityMethods.listAlerts) { request, context in
            try await service.serve(context) { caller in
                let limit = request.limit == 0 ? 100 : Int(request.limit)
                guard limit <= Self.maxPage else { throw RPCError.invalidField("limit", "must be at most \(Self.maxPage)") }
                var response = CommunityListAlertsResponse()
                response.alerts = try await service.database.alerts(
                    caller: caller, openOnly: request.openOnly, limit: limit, residentID: request.residentID.isEmpty ? nil : request.residentID
                ).map(\.wireMessage)
                return response
            }
        }
        router.register(CommunityMethods.acknowledgeAlert) { request, context in
            try await service.serve(context) { caller in
                guard !request.id.isEmpty else { throw RPCError.invalidField("id", "is required") }
                let alert = try await service.database.acknowledgeAlert(id: request.id, note: request.note, caller: caller, at: service.now())
                await service.pipeline.emit(kind: "alert.acknowledged", residentID: alert.residentID, communityID: alert.communityID,
                                            attributes: ["alert_id": alert.id], caller: caller)
                return alert.wireMessage
            }
        }
        router.register(CommunityMethods.listAudit) { request, context in
            try await service.serve(context) { caller in try await service.listAudit(request, caller: caller) }
        }
        router.register(CommunityMethods.recordRead) { request, context in
            try await service.serve(context) { caller in try await service.recordRead(request, caller: caller).wireMessage }
        }
        router.register(CommunityMethods.getCoverage) { request, context in
            try await service.serve(context) { caller in try await service.coverage(request, caller: caller) }
        }
    }

    func listKeyPersons(_ request: CommunityListKeyPersonsRequest, caller: Caller) async throws -> CommunityListKeyPersonsResponse {
        let day = try day(request.date, field: "date")
        let limit = request.limit == 0 ? Self.maxPage : Int(request.limit)
        guard limit <= Self.maxPage else { throw RPCError.invalidField("limit", "must be at most \(Self.maxPage)") }
        let page = try await database.keyPersons(
            caller: caller, dueOn: request.dueOnly ? day : nil, communityID: request.communityID.isEmpty ? nil : request.communityID,
            timeZone: timeZone, limit: limit, after: request.after.isEmpty ? nil : request.after
        )
        let names = try await database.residentNames(ids: page.items.map(\.residentID), caller: caller)
        var response = CommunityListKeyPersonsResponse()
        response.keyPersons = page.items.map { entry in
            entry.message(due: entry.isDue(on: day, timeZone: timeZone), residentName: names[entry.residentID] ?? "")
        }
        response.nextAfter = page.nextAfter ?? ""
        return response
    }

    /// The audit log, for the deployment's administrators only: it names every resident read.
    func listAudit(_ request: CommunityListAuditRequest, caller: Caller) async throws -> CommunityListAuditResponse {
        guard case .administrator = caller.provenance else {
            throw RPCError(code: .permissionDenied, message: "the audit log is for the deployment's administrators")
        }
        let limit = request.limit == 0 ? 100 : Int(request.limit)
        guard limit <= Self.maxPage else { throw RPCError.invalidField("limit", "must be at most \(Self.maxPage)") }
        var response = CommunityListAuditResponse()
        response.entries = try await database.auditLog(limit: limit, residentID: request.residentID.isEmpty ? nil : request.residentID).map(\.wireMessage)
        return response
    }

    /// A module's record of a read it served from its own store: by the caller the host vouched
    /// for, through the module, of residents within the module's scope.
    func recordRead(_ request: CommunityRecordReadRequest, caller: Caller) async throws -> AuditEntry {
        guard case .module(let module) = caller.provenance else {
            throw RPCError(code: .permissionDenied, message: "only modules record the reads they serve")
        }
        guard request.action.hasPrefix(module + "."), request.action.count > module.count + 1 else {
            throw RPCError.invalidField("action", "must be named \(module).<what>, not \"\(request.action)\"")
        }
        guard let identity = KnockIdentity(uri: request.by), let reader = Provenance(identity: identity) else {
            throw RPCError.invalidField("by", "must be the caller's identity, knock://member/<id> or the like, not \"\(request.by)\"")
        }
        return try await database.recordRead(
            AuditEntry(at: now(), by: reader, action: request.action, residentIDs: request.residentIds, via: module), within: caller.scope
        )
    }

    func coverage(_ request: CommunityGetCoverageRequest, caller: Caller) async throws -> CommunityGetCoverageResponse {
        let to = try day(request.to, field: "to")
        let from = request.from.isEmpty ? to.adding(days: -6) : try day(request.from, field: "from")
        guard from <= to else { throw RPCError.invalidField("from", "must not be after to") }
        guard from.days(until: to) <= 366 else { throw RPCError.invalidField("from", "and to must be at most a year apart") }
        let grids = try await database.units(in: caller.scope, level: .grid).reduce(into: [String: String]()) { $0[$1.id] = $1.name }
        var response = CommunityGetCoverageResponse()
        response.grids = try await database.coverage(in: caller.scope, from: from, to: to, timeZone: timeZone, now: now())
            .map { $0.message(gridName: grids[$0.gridID] ?? "") }
        return response
    }
}
