import Foundation
import KnockModuleKit

/// neighbour-pairing's records in its store:
///
/// | collection | key | value | indexed |
/// |---|---|---|---|
/// | `elders` | resident id | ``NeighbourPairingElder`` | `community` |
/// | `members` | member id | ``NeighbourPairingKnownMember`` | `community` |
/// | `pairs` | pair id | ``NeighbourPairingPair`` | `elder`, `community`, `active` |
/// | `active` | `<elder>|m:<member>` or `<elder>|r:<resident>` | the active pair (guards against a duplicate) | |
/// | `paired` | elder's resident id | ``NeighbourPairingElderPairs``: the elder's active pairs (comes with a visit) | |
/// | `checkins` | check-in id | ``NeighbourPairingCheckInRequest`` | `pair` |
/// | `tasks` | task id | ``NeighbourPairingTask`` | `pair`, `elder`, `community` |
struct PairBook: Sendable {
    let store: any ModuleStore
    /// What this process already stored (`context.learned`: a member seen again costs no read).
    var learned = LearnedFacts()

    /// The collection of elders, keyed by resident id.
    static let elders = "elders"
    /// The collection of elders' active pairs, keyed by resident id.
    static let paired = "paired"

    // MARK: Elders and members

    /// Keeps (or refreshes) `resident` as an elder if eligible; forgets them if no longer.
    /// Writes only when that changes something: most visits find what the store already holds.
    /// - Returns: The elder kept, or `nil` for a resident who is not eligible.
    @discardableResult
    func learnElder(_ resident: CommunityResident, community: String, at: Date) async throws -> NeighbourPairingElder? {
        guard !resident.id.isEmpty else { return nil }
        return try await learnElder(resident, known: try await elder(resident.id), community: community, at: at)
    }

    /// ``learnElder(_:community:at:)`` for the visited resident, whose elder record comes with
    /// the visit (`visit_records`).
    func learnElder(visited request: ModuleAssessRequest, community: String, at: Date) async throws -> NeighbourPairingElder? {
        guard !request.resident.id.isEmpty else { return nil }
        let known = try await request.visitRecord(NeighbourPairingElder.self, in: Self.elders, from: store)
        return try await learnElder(request.resident, known: known, community: community, at: at)
    }

    /// Stores `resident` as an elder if eligible and `known` differs, forgets them if not.
    private func learnElder(
        _ resident: CommunityResident, known: NeighbourPairingElder?, community: String, at: Date
    ) async throws -> NeighbourPairingElder? {
        guard Eligibility.isEligible(resident.tags) else {
            if known != nil { _ = try await store.delete(collection: Self.elders, key: resident.id) }
            return nil
        }
        if let known, known.name == resident.name, known.householdID == resident.householdID, known.gridID == resident.gridID,
           known.communityID == community, known.tags == resident.tags {
            return known
        }
        var elder = NeighbourPairingElder()
        elder.residentID = resident.id
        elder.name = resident.name
        elder.householdID = resident.householdID
        elder.gridID = resident.gridID
        elder.communityID = community
        elder.tags = resident.tags
        elder.learnedAt = .init(date: at)
        try await store.put(elder, collection: Self.elders, key: elder.residentID, index: ["community": community])
        return elder
    }

    func elder(_ residentID: String) async throws -> NeighbourPairingElder? {
        try await store.get(NeighbourPairingElder.self, collection: Self.elders, key: residentID)
    }

    func elders(community: String) async throws -> [NeighbourPairingElder] {
        try await store.all(NeighbourPairingElder.self, collection: Self.elders, where: ["community": community])
    }

    func learnMember(_ memberID: String, community: String) async throws {
        try await learned.keep("members/\(memberID)", as: community) {
            try await member(memberID)?.communityID
        } write: {
            var member = NeighbourPairingKnownMember()
            member.memberID = memberID
            member.communityID = community
            try await store.put(member, collection: "members", key: memberID, index: ["community": community])
        }
    }

    func member(_ memberID: String) async throws -> NeighbourPairingKnownMember? {
        try await store.get(NeighbourPairingKnownMember.self, collection: "members", key: memberID)
    }

    // MARK: Pairs

    func pair(_ id: String) async throws -> (pair: NeighbourPairingPair, version: UInt64)? {
        guard let record = try await store.get(collection: "pairs", key: id) else { return nil }
        return (try record.decode(NeighbourPairingPair.self), record.version)
    }

    /// The ids of the visited elder's active pairs, as they came with the visit.
    func activePairIDs(visited request: ModuleAssessRequest) async throws -> [String] {
        try await request.visitRecord(NeighbourPairingElderPairs.self, in: Self.paired, from: store)?.activePairIds ?? []
    }

    /// The write that keeps `elder`'s list of active pairs with `pairID` added or removed, over
    /// the list as read (its version, 0 for none): written with the pair, in one batch.
    func elderPairsWrite(_ elder: String, adding pairID: String? = nil, removing removed: String? = nil) async throws -> ModuleBatchRequest.Operation {
        let stored = try await store.get(collection: Self.paired, key: elder)
        var list = try stored?.decode(NeighbourPairingElderPairs.self) ?? NeighbourPairingElderPairs()
        list.activePairIds.removeAll { $0 == removed || $0 == pairID }
        if let pairID { list.activePairIds.append(pairID) }
        return .put(try ModuleRecord.make(list, collection: Self.paired, key: elder), expectedVersion: stored?.version ?? 0)
    }

    func activePairs(ofElder residentID: String) async throws -> [NeighbourPairingPair] {
        try await store.all(NeighbourPairingPair.self, collection: "pairs", where: ["elder": residentID, "active": "1"])
    }

    func pairs(ofElder residentID: String) async throws -> [NeighbourPairingPair] {
        try await store.all(NeighbourPairingPair.self, collection: "pairs", where: ["elder": residentID])
    }

    func pairs(community: String, activeOnly: Bool) async throws -> [NeighbourPairingPair] {
        var filter = ["community": community]
        if activeOnly { filter["active"] = "1" }
        return try await store.all(NeighbourPairingPair.self, collection: "pairs", where: filter)
    }

    func allPairs(activeOnly: Bool) async throws -> [NeighbourPairingPair] {
        try await store.all(NeighbourPairingPair.self, collection: "pairs", where: activeOnly ? ["active": "1"] : [:])
    }

    /// The write of `pair` (with its indexes).
    static func put(_ pair: NeighbourPairingPair, expectedVersion: UInt64?) throws -> ModuleBatchRequest.Operation {
        let record = try ModuleRecord.make(pair, collection: "pairs", key: pair.id, index: [
            "elder": pair.elderResidentID, "community": pair.communityID, "active": pair.active ? "1" : "0",
        ])
        return .put(record, expectedVersion: expectedVersion)
    }

    /// The key guarding against a second active pair of the same elder and partner.
    static func activeKey(_ pair: NeighbourPairingPair) -> String {
        pair.partnerMemberID.isEmpty ? "\(pair.elderResidentID)|r:\(pair.partnerResidentID)" : "\(pair.elderResidentID)|m:\(pair.partnerMemberID)"
    }

    /// The partner in words: "member m-2", "neighbour 刘建国 (r-2)".
    static func partnerLabel(_ pair: NeighbourPairingPair) -> String {
        pair.partnerMemberID.isEmpty ? "neighbour \(pair.partnerName) (\(pair.partnerResidentID))" : "member \(pair.partnerMemberID)"
    }

    // MARK: Tasks

    func task(_ id: String) async throws -> (task: NeighbourPairingTask, version: UInt64)? {
        guard let record = try await store.get(collection: "tasks", key: id) else { return nil }
        return (try record.decode(NeighbourPairingTask.self), record.version)
    }

    func putTask(_ task: NeighbourPairingTask, expectedVersion: UInt64?) async throws {
        try await store.put(task, collection: "tasks", key: task.id, index: [
            "pair": task.pairID, "elder": task.elderResidentID, "community": task.communityID,
        ], expectedVersion: expectedVersion)
    }

    func tasks(where filter: [String: String]) async throws -> [NeighbourPairingTask] {
        try await store.all(NeighbourPairingTask.self, collection: "tasks", where: filter)
    }
}
