import KnockModuleKit

/// Keeps the `mediation` need on the resident-needs list in step with its case: in progress
/// while mediated, resolved on agreement, followed up when the agreement holds, reopened (and
/// taken on again) when it breaks. Each move reads the need first and does only the steps still
/// missing, so a retried call moves nothing twice.
struct NeedLink: Sendable {
    let host: any HostCalling

    static let owner = "module:mediation"
    static let category = "mediation"
    private static let options = CallOptions(timeout: .seconds(5))

    /// The active `mediation` need this module owns that the visit `visitID` raised, if any.
    func find(residentID: String, visitID: String) async throws -> String? {
        var request = CommunityListNeedsRequest()
        request.residentID = residentID
        request.category = Self.category
        request.owner = Self.owner
        return try await host.call(CommunityMethods.listNeeds, request, options: Self.options).needs.first { $0.visitID == visitID }?.id
    }

    /// Raises a new `mediation` need for a case whose old need is closed.
    func raise(residentID: String, summary: String) async throws -> String {
        var request = CommunityRaiseNeedRequest()
        request.residentID = residentID
        request.category = Self.category
        request.urgency = .normal
        request.summary = summary
        request.owner = Self.owner
        return try await host.call(CommunityMethods.raiseNeed, request, options: Self.options).id
    }

    /// Moves the need to in progress (taking it on again if it was reopened).
    func start(_ id: String) async throws {
        var need = try await get(id)
        if need.status == .open { need = try await step(id, .assign, owner: Self.owner) }
        if need.status == .assigned { _ = try await step(id, .start) }
    }

    /// Resolves the need (the agreement reached).
    func resolve(_ id: String, note: String) async throws {
        var need = try await get(id)
        if need.status == .open { need = try await step(id, .assign, owner: Self.owner) }
        if need.status == .assigned || need.status == .inProgress { _ = try await step(id, .resolve, note: note) }
    }

    /// Follows the need up (the agreement holds).
    func followUp(_ id: String, satisfaction: UInt32, note: String) async throws {
        if try await get(id).status == .resolved { _ = try await step(id, .followUp, note: note, satisfaction: satisfaction) }
    }

    /// Reopens the need and takes it on again (the agreement broke).
    /// - Returns: `false` if the need cannot be reopened any more (followed up already).
    func reopen(_ id: String, note: String) async throws -> Bool {
        let need = try await get(id)
        if need.status == .followedUp || need.status == .declined { return false }
        if need.status == .resolved { _ = try await step(id, .reopen, note: note) }
        try await start(id)
        return true
    }

    private func get(_ id: String) async throws -> CommunityNeed {
        var request = CommunityGetNeedRequest()
        request.id = id
        return try await host.call(CommunityMethods.getNeed, request, options: Self.options)
    }

    private func step(_ id: String, _ step: CommunityUpdateNeedRequest.Step, owner: String = "", note: String = "", satisfaction: UInt32 = 0) async throws -> CommunityNeed {
        var request = CommunityUpdateNeedRequest()
        request.id = id
        request.step = step
        request.owner = owner
        request.note = note
        request.satisfaction = satisfaction
        return try await host.call(CommunityMethods.updateNeed, request, options: Self.options)
    }
}
