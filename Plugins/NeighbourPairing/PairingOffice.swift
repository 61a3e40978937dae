import Foundation
import KnockModuleKit

/// The handlers of neighbour-pairing's methods, each given the caller the host vouched for.
struct PairingOffice: Sendable {
    let context: ModuleContext
    var book: PairBook { PairBook(store: context.store, learned: context.learned) }

    /// The work callers must be allowed to do with pairs (members of the elder's community, any
    /// role but department officer, and the administrator), as refusals name it.
    static let work = "change pairs"

    // MARK: Pair, Unpair

    /// Pairs an eligible elder with a member or a neighbour.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` for a missing elder or not exactly one partner,
    ///   `NOT_FOUND` for an unknown elder or partner, `FAILED_PRECONDITION` for an elder who is not
    ///   eligible or a neighbour of another community, `ALREADY_EXISTS` for a duplicate active pair
    ///   or a pair id used for another pair, `PERMISSION_DENIED` for a caller outside the community.
    func pair(_ request: NeighbourPairingPairRequest, by caller: ModuleCaller) async throws -> NeighbourPairingPair {
        guard !request.elderResidentID.isEmpty else { throw RPCError(code: .invalidArgument, message: "elder_resident_id is required") }
        guard request.partnerMemberID.isEmpty != request.partnerResidentID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "give exactly one partner: partner_member_id or partner_resident_id")
        }
        guard request.partnerResidentID != request.elderResidentID else {
            throw RPCError(code: .invalidArgument, message: "an elder cannot be paired with themselves")
        }
        try Self.checkID(request.id, field: "id")
        let now = context.clock.now()
        let elderResident = try await resident(request.elderResidentID, role: "elder")
        try caller.requireCommunityWork(in: elderResident.communityID, Self.work)
        guard Eligibility.isEligible(elderResident.tags) else {
            throw RPCError(code: .failedPrecondition, message: "\(elderResident.name) (\(elderResident.id)) is not living alone, empty-nest or of advanced age: only they are paired")
        }
        if caller.isMember { try await book.learnMember(caller.id, community: caller.communityID) }
        try await book.learnElder(elderResident, community: elderResident.communityID, at: now)

        var pair = NeighbourPairingPair()
        pair.id = request.id.isEmpty ? "pair-\(UUID().uuidString.lowercased())" : request.id
        pair.elderResidentID = elderResident.id
        pair.elderName = elderResident.name
        pair.communityID = elderResident.communityID
        pair.gridID = elderResident.gridID
        if !request.partnerMemberID.isEmpty {
            guard let member = try await book.member(request.partnerMemberID), member.communityID == elderResident.communityID else {
                throw RPCError(code: .notFound, message: "member \(request.partnerMemberID) is not known to work in \(elderResident.communityID) (neighbour-pairing knows the members who record visits there or call its methods)")
            }
            pair.partnerMemberID = member.memberID
        } else {
            let neighbour = try await resident(request.partnerResidentID, role: "partner")
            guard neighbour.communityID == elderResident.communityID else {
                throw RPCError(code: .failedPrecondition, message: "\(neighbour.name) (\(neighbour.id)) lives in \(neighbour.communityID), not in the elder's community \(elderResident.communityID)")
            }
            pair.partnerResidentID = neighbour.id
            pair.partnerName = neighbour.name
        }
        pair.pairedAt = .init(date: request.hasAt ? request.at.date : now)
        pair.pairedBy = caller.provenance
        pair.active = true

        if let existing = try await book.pair(pair.id) {
            if existing.pair.elderResidentID == pair.elderResidentID, PairBook.activeKey(existing.pair) == PairBook.activeKey(pair) {
                return await resolvingNeeds(existing.pair, by: caller)  // a retry
            }
            throw RPCError(code: .alreadyExists, message: "pair id \(pair.id) is taken by another pair")
        }
        let activeKey = PairBook.activeKey(pair)
        if let guardRecord = try await context.store.get(NeighbourPairingPair.self, collection: "active", key: activeKey) {
            throw RPCError(code: .alreadyExists, message: "\(pair.elderName) (\(pair.elderResidentID)) is already paired with \(PairBook.partnerLabel(pair)) (pair \(guardRecord.id))")
        }
        do {
            _ = try await context.store.batch([
                try PairBook.put(pair, expectedVersion: 0),
                .put(try ModuleRecord.make(pair, collection: "active", key: activeKey), expectedVersion: 0),
                try await book.elderPairsWrite(pair.elderResidentID, adding: pair.id),
            ])
        } catch let error as RPCError where error.code == .failedPrecondition {
            // Either this partner was paired at the same moment (the guard is there now), or
            // another pair of the elder changed their list of pairs meanwhile.
            guard try await context.store.get(collection: "active", key: activeKey) == nil else {
                throw RPCError(code: .alreadyExists, message: "\(pair.elderName) (\(pair.elderResidentID)) was paired with \(PairBook.partnerLabel(pair)) at the same moment", cause: error)
            }
            throw RPCError(code: .aborted, message: "the pairs of \(pair.elderName) (\(pair.elderResidentID)) changed meanwhile; try again", cause: error)
        }
        context.logger.info("paired", metadata: ["pair": "\(pair.id)", "elder": "\(pair.elderResidentID)"])
        return await resolvingNeeds(pair, by: caller)
    }

    /// `pair` as Pair answers it, after resolving the elder's pairing needs.
    private func resolvingNeeds(_ pair: NeighbourPairingPair, by caller: ModuleCaller) async -> NeighbourPairingPair {
        var answer = pair
        // The elder's `pairing` needs (raised when a visit found them without a pair) are done;
        // an open one goes first to the member who made the pair (or to the module, for the
        // administrator).
        answer.resolvedNeedIds = await context.resolveNeeds(
            of: pair.elderResidentID, category: "pairing", assigningTo: caller.isMember ? caller.provenance : "module:neighbour-pairing",
            note: "邻里结亲: paired with \(PairBook.partnerLabel(pair)) (pair \(pair.id))"
        )
        return answer
    }

    /// Ends a pair.
    /// - Throws: ``RPCError`` `NOT_FOUND`, `FAILED_PRECONDITION` for a pair already ended,
    ///   `PERMISSION_DENIED`.
    func unpair(_ request: NeighbourPairingUnpairRequest, by caller: ModuleCaller) async throws -> NeighbourPairingPair {
        guard !request.pairID.isEmpty else { throw RPCError(code: .invalidArgument, message: "pair_id is required") }
        guard let (stored, version) = try await book.pair(request.pairID) else {
            throw RPCError(code: .notFound, message: "no pair \(request.pairID)")
        }
        try caller.requireCommunityWork(in: stored.communityID, Self.work)
        guard stored.active else {
            throw RPCError(code: .failedPrecondition, message: "pair \(stored.id) already ended")
        }
        var pair = stored
        pair.active = false
        pair.endedAt = .init(date: request.hasAt ? request.at.date : context.clock.now())
        pair.endedBy = caller.provenance
        pair.endReason = request.reason
        do {
            _ = try await context.store.batch([
                try PairBook.put(pair, expectedVersion: version),
                .delete(collection: "active", key: PairBook.activeKey(pair)),
                try await book.elderPairsWrite(pair.elderResidentID, removing: pair.id),
            ])
        } catch let error as RPCError where error.code == .failedPrecondition {
            throw RPCError(code: .aborted, message: "pair \(pair.id) changed meanwhile; try again", cause: error)
        }
        return pair
    }

    // MARK: Lists

    /// Pairs, each with whether it has lapsed as of `as_of` (or the module's clock).
    /// - Throws: ``RPCError`` `PERMISSION_DENIED`, `INVALID_ARGUMENT`, `FAILED_PRECONDITION` for
    ///   a bad configuration.
    func listPairs(_ request: NeighbourPairingListPairsRequest, by caller: ModuleCaller) async throws -> NeighbourPairingListPairsResponse {
        let configuration = try context.configuration(as: PairingConfiguration.self)
        let asOf = request.hasAsOf ? request.asOf.date : context.clock.now()
        var pairs: [NeighbourPairingPair]
        if !request.elderResidentID.isEmpty {
            pairs = try await request.includeEnded ? book.pairs(ofElder: request.elderResidentID) : book.activePairs(ofElder: request.elderResidentID)
            if !request.communityID.isEmpty { pairs = pairs.filter { $0.communityID == request.communityID } }
            if caller.isMember {
                pairs = pairs.filter { $0.communityID == caller.communityID }
                try caller.requireCommunityWork(in: caller.communityID, Self.work)
            } else if !caller.isAdministrator, caller.kind != "module" {
                throw RPCError(code: .permissionDenied, message: "\(caller.identity) may not read pairs")
            }
        } else if caller.isMember || !request.communityID.isEmpty {
            pairs = try await book.pairs(community: try caller.community(named: request.communityID, Self.work, modulesMayRead: true), activeOnly: !request.includeEnded)
        } else {
            guard caller.isAdministrator || caller.kind == "module" else {
                throw RPCError(code: .permissionDenied, message: "\(caller.identity) may not read pairs")
            }
            pairs = try await book.allPairs(activeOnly: !request.includeEnded)
        }
        var response = NeighbourPairingListPairsResponse()
        response.lapseDays = UInt32(configuration.lapseDays)
        response.pairs = pairs.map { PairLapse.shown($0, asOf: asOf, lapseDays: configuration.lapseDays) }
            .filter { !request.lapsedOnly || $0.lapsed }
        return response
    }

    /// The eligible elders of a community without an active pair.
    /// - Throws: ``RPCError`` `PERMISSION_DENIED`, `INVALID_ARGUMENT`.
    func listUnpaired(_ request: NeighbourPairingListUnpairedRequest, by caller: ModuleCaller) async throws -> NeighbourPairingListUnpairedResponse {
        let community = try caller.community(named: request.communityID, Self.work, modulesMayRead: true)
        let paired = Set(try await book.pairs(community: community, activeOnly: true).map(\.elderResidentID))
        var response = NeighbourPairingListUnpairedResponse()
        response.elders = try await book.elders(community: community).filter { !paired.contains($0.residentID) && Eligibility.isEligible($0.tags) }
        return response
    }

    // MARK: Check-ins

    /// A partner's check-in, recorded through the host as a door visit to the elder; idempotent
    /// by the client's id.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` for a missing id, pair or time, `NOT_FOUND`,
    ///   `FAILED_PRECONDITION` for an ended pair or no host to record with, `ALREADY_EXISTS` for
    ///   an id used for another check-in, `PERMISSION_DENIED`; what RecordVisit answers.
    func checkIn(_ request: NeighbourPairingCheckInRequest, by caller: ModuleCaller) async throws -> NeighbourPairingCheckInResponse {
        guard !request.id.isEmpty else { throw RPCError(code: .invalidArgument, message: "id is required (the app's id for this check-in, so a retry counts once)") }
        try Self.checkID(request.id, field: "id")
        guard !request.pairID.isEmpty else { throw RPCError(code: .invalidArgument, message: "pair_id is required") }
        guard request.hasAt else { throw RPCError(code: .invalidArgument, message: "at is required (when the partner checked in)") }
        guard let (stored, _) = try await book.pair(request.pairID) else { throw RPCError(code: .notFound, message: "no pair \(request.pairID)") }
        try caller.requireCommunityWork(in: stored.communityID, Self.work)
        if let earlier = try await context.store.get(NeighbourPairingCheckInRequest.self, collection: "checkins", key: request.id), earlier != request {
            throw RPCError(code: .alreadyExists, message: "check-in \(request.id) was recorded before with other content")
        }
        guard stored.active else { throw RPCError(code: .failedPrecondition, message: "pair \(stored.id) has ended; a check-in needs an active pair") }
        guard let host = context.host else {
            throw RPCError(code: .failedPrecondition, message: "no host to record the check-in with")
        }
        var visit = CommunityRecordVisitRequest()
        visit.visit.id = "neighbour-pairing:\(request.id)"
        visit.visit.residentID = stored.elderResidentID
        visit.visit.at = request.at
        visit.visit.channel = .door
        visit.visit.outcome = request.outcome == .unspecified ? .met : request.outcome
        visit.visit.requests = request.requests
        if stored.partnerMemberID.isEmpty {
            visit.visit.memberID = "module:neighbour-pairing"
            visit.visit.observations = "邻里结亲 check-in by neighbour \(stored.partnerName) (\(stored.partnerResidentID)), pair \(stored.id), recorded by \(caller.provenance)"
        } else {
            visit.visit.memberID = stored.partnerMemberID
            visit.visit.observations = "邻里结亲 check-in by member \(stored.partnerMemberID), pair \(stored.id)"
        }
        if !request.observations.isEmpty { visit.visit.observations += ": " + request.observations }
        let recorded = try await host.call(CommunityMethods.recordVisit, visit, options: CallOptions(timeout: .seconds(10)))

        // Count it once: the check-in and the pair change together, retried on a concurrent change.
        for _ in 0..<5 {
            guard let (current, version) = try await book.pair(stored.id) else { throw RPCError(code: .notFound, message: "pair \(stored.id) vanished") }
            if try await context.store.get(collection: "checkins", key: request.id) != nil {
                var response = NeighbourPairingCheckInResponse()
                response.pair = current
                response.visit = recorded.visit
                response.duplicate = true
                return response
            }
            var pair = current
            if !pair.hasLastCheckInAt || pair.lastCheckInAt.date < request.at.date { pair.lastCheckInAt = request.at }
            pair.checkIns += 1
            do {
                _ = try await context.store.batch([
                    try PairBook.put(pair, expectedVersion: version),
                    .put(try ModuleRecord.make(request, collection: "checkins", key: request.id, index: ["pair": pair.id]), expectedVersion: 0),
                ])
            } catch let error as RPCError where error.code == .failedPrecondition {
                continue
            }
            var response = NeighbourPairingCheckInResponse()
            response.pair = pair
            response.visit = recorded.visit
            response.duplicate = recorded.duplicate
            return response
        }
        throw RPCError(code: .aborted, message: "pair \(stored.id) kept changing; the visit is recorded, retry the check-in to count it")
    }

    // MARK: Tasks

    /// A care task for an active pair; idempotent by the client's id.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT`, `NOT_FOUND`, `FAILED_PRECONDITION` for an ended
    ///   pair, `ALREADY_EXISTS` for an id used for another task, `PERMISSION_DENIED`.
    func addTask(_ request: NeighbourPairingAddTaskRequest, by caller: ModuleCaller) async throws -> NeighbourPairingTask {
        try Self.checkID(request.id, field: "id")
        guard !request.pairID.isEmpty else { throw RPCError(code: .invalidArgument, message: "pair_id is required") }
        guard request.kind != .unspecified, NeighbourPairingTaskKind.allCases.contains(request.kind) else {
            throw RPCError(code: .invalidArgument, message: "kind must be medicine, meal, cleaning or hospital")
        }
        guard request.hasDue else { throw RPCError(code: .invalidArgument, message: "due is required") }
        guard request.note.utf8.count <= 4_096 else { throw RPCError(code: .invalidArgument, message: "note must be at most 4 KiB") }
        guard let (pair, _) = try await book.pair(request.pairID) else { throw RPCError(code: .notFound, message: "no pair \(request.pairID)") }
        try caller.requireCommunityWork(in: pair.communityID, Self.work)
        guard pair.active else { throw RPCError(code: .failedPrecondition, message: "pair \(pair.id) has ended") }
        var task = NeighbourPairingTask()
        task.id = request.id.isEmpty ? "task-\(UUID().uuidString.lowercased())" : request.id
        task.pairID = pair.id
        task.elderResidentID = pair.elderResidentID
        task.communityID = pair.communityID
        task.kind = request.kind
        task.due = request.due
        task.note = request.note
        task.createdBy = caller.provenance
        task.createdAt = .init(date: context.clock.now())
        if let (existing, _) = try await book.task(task.id) {
            guard existing.pairID == task.pairID, existing.kind == task.kind, existing.due == task.due, existing.note == task.note else {
                throw RPCError(code: .alreadyExists, message: "task id \(task.id) is taken by another task")
            }
            return existing
        }
        do {
            try await book.putTask(task, expectedVersion: 0)
        } catch let error as RPCError where error.code == .failedPrecondition {
            throw RPCError(code: .alreadyExists, message: "task id \(task.id) was taken at the same moment", cause: error)
        }
        return task
    }

    /// Marks a care task done.
    /// - Throws: ``RPCError`` `NOT_FOUND`, `FAILED_PRECONDITION` for a task already done,
    ///   `PERMISSION_DENIED`.
    func completeTask(_ request: NeighbourPairingCompleteTaskRequest, by caller: ModuleCaller) async throws -> NeighbourPairingTask {
        guard !request.taskID.isEmpty else { throw RPCError(code: .invalidArgument, message: "task_id is required") }
        guard let (stored, version) = try await book.task(request.taskID) else { throw RPCError(code: .notFound, message: "no task \(request.taskID)") }
        try caller.requireCommunityWork(in: stored.communityID, Self.work)
        guard !stored.done else {
            throw RPCError(code: .failedPrecondition, message: "task \(stored.id) was completed already by \(stored.completedBy)")
        }
        var task = stored
        task.done = true
        task.completedAt = request.hasAt ? request.at : .init(date: context.clock.now())
        task.completedBy = caller.provenance
        task.completionNote = request.note
        do {
            try await book.putTask(task, expectedVersion: version)
        } catch let error as RPCError where error.code == .failedPrecondition {
            throw RPCError(code: .aborted, message: "task \(task.id) changed meanwhile; try again", cause: error)
        }
        return task
    }

    /// A pair's or an elder's tasks, overdue ones marked as of `as_of` (or the module's clock).
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` without a pair or elder, `NOT_FOUND` for an
    ///   unknown pair, `PERMISSION_DENIED`.
    func listTasks(_ request: NeighbourPairingListTasksRequest, by caller: ModuleCaller) async throws -> NeighbourPairingListTasksResponse {
        guard request.pairID.isEmpty != request.elderResidentID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "give exactly one of pair_id and elder_resident_id")
        }
        let asOf = request.hasAsOf ? request.asOf.date : context.clock.now()
        if !request.pairID.isEmpty {
            guard let (pair, _) = try await book.pair(request.pairID) else { throw RPCError(code: .notFound, message: "no pair \(request.pairID)") }
            try caller.requireReadingPairs(in: pair.communityID)
        } else if let elder = try await book.elder(request.elderResidentID) {
            try caller.requireReadingPairs(in: elder.communityID)
        } else {
            guard caller.isMember || caller.isAdministrator || caller.kind == "module" else {
                throw RPCError(code: .permissionDenied, message: "\(caller.identity) may not read care tasks")
            }
        }
        var tasks = try await book.tasks(where: request.pairID.isEmpty ? ["elder": request.elderResidentID] : ["pair": request.pairID])
        for community in Set(tasks.map(\.communityID)) { try caller.requireReadingPairs(in: community) }
        if request.openOnly { tasks = tasks.filter { !$0.done } }
        var response = NeighbourPairingListTasksResponse()
        response.tasks = tasks.sorted { ($0.due.date, $0.id) < ($1.due.date, $1.id) }.map { task in
            var shown = task
            shown.overdue = !task.done && task.due.date < asOf
            return shown
        }
        return response
    }

    // MARK: Helpers

    /// The resident from the host (which knows every resident), else from the elders learned
    /// from visits.
    /// - Throws: ``RPCError`` `NOT_FOUND` for a resident neither knows.
    func resident(_ id: String, role: String) async throws -> CommunityResident {
        try Self.checkID(id, field: "\(role) resident id")
        if context.host != nil {
            do {
                return try await context.resident(id)
            } catch let error as RPCError where error.code == .notFound {
                throw RPCError(code: .notFound, message: "the \(role) \(id) is not a known resident", cause: error)
            }
        }
        guard let elder = try await book.elder(id) else {
            throw RPCError(code: .notFound, message: "the \(role) \(id) is not a known resident")
        }
        var resident = CommunityResident()
        resident.id = elder.residentID
        resident.name = elder.name
        resident.householdID = elder.householdID
        resident.gridID = elder.gridID
        resident.communityID = elder.communityID
        resident.tags = elder.tags
        return resident
    }

    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` for an id over 100 bytes or with a control character.
    static func checkID(_ id: String, field: String) throws {
        guard id.utf8.count <= 100, !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw RPCError(code: .invalidArgument, message: "\(field) must be at most 100 bytes without control characters")
        }
    }
}
