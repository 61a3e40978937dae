import Foundation
import KnockModuleKit

/// canteen's records in its store:
///
/// | collection | key | value | indexed |
/// |---|---|---|---|
/// | `menus` | `<community>|<date>` | ``CanteenMenu`` | `community` |
/// | `enrolments` | resident id | ``CanteenEnrolment`` | `community` |
/// | `proposals` | resident id | ``CanteenProposal`` | `community` |
/// | `orders` | order id | ``CanteenOrder`` | `day` (`<community>|<date>`), `resident` |
/// | `members` | member id | ``CanteenKnownMember`` | `community` |
struct CanteenLedger: Sendable {
    let store: any ModuleStore
    /// What this process already stored (`context.learned`: a member seen again costs no read).
    var learned = LearnedFacts()

    func menu(community: String, date: String) async throws -> CanteenMenu? {
        try await store.get(CanteenMenu.self, collection: "menus", key: "\(community)|\(date)")
    }

    func putMenu(_ menu: CanteenMenu) async throws {
        try await store.put(menu, collection: "menus", key: "\(menu.communityID)|\(menu.date)", index: ["community": menu.communityID])
    }

    /// Enrolments, keyed by the resident's id.
    static let enrolments = "enrolments"
    /// Proposals for enrolment, keyed by the resident's id.
    static let proposals = "proposals"
    /// What comes with every visit: whether the resident is enrolled or proposed.
    static let visitRecords = [enrolments, proposals]

    func enrolment(_ residentID: String) async throws -> CanteenEnrolment? {
        try await store.get(CanteenEnrolment.self, collection: Self.enrolments, key: residentID)
    }

    /// Proposes the visited resident for enrolment on the meal words `matched`, unless they are
    /// enrolled. A proposal stands as the first visit made it; words it does not list yet are
    /// added, and if there are none nothing is written. The enrolment and the proposal come with
    /// the visit (``Canteen/visitRecords``), or are read from the store.
    /// - Returns: Whether the resident is proposed (`false`: enrolled).
    /// - Throws: `ABORTED` if the proposal changed since it was read; ``RPCError`` from the store.
    func propose(_ request: ModuleAssessRequest, matched: [String], community: String, at: Date) async throws -> Bool {
        guard try await request.visitRecord(in: Self.enrolments, from: store) == nil else { return false }
        let stored = try await request.visitRecord(in: Self.proposals, from: store)
        var proposal: CanteenProposal
        if let stored {
            proposal = try stored.decode(CanteenProposal.self)
        } else {
            proposal = CanteenProposal()
            proposal.residentID = request.resident.id
            proposal.visitID = request.visit.id
            proposal.proposedAt = .init(date: at)
        }
        let added = matched.filter { !proposal.matched.contains($0) }
        guard !added.isEmpty || proposal.name != request.resident.name || proposal.communityID != community else { return true }
        proposal.name = request.resident.name
        proposal.communityID = community
        proposal.matched += added
        _ = try await RPCError.abortingOnVersionConflict("the proposal of \(proposal.residentID) changed meanwhile; try again") {
            try await store.put(proposal, collection: Self.proposals, key: proposal.residentID, index: ["community": community],
                                expectedVersion: stored?.version ?? 0)
        }
        return true
    }

    func order(_ id: String) async throws -> (order: CanteenOrder, version: UInt64)? {
        guard let record = try await store.get(collection: "orders", key: id) else { return nil }
        return (try record.decode(CanteenOrder.self), record.version)
    }

    func putOrder(_ order: CanteenOrder, expectedVersion: UInt64?) async throws {
        try await store.put(order, collection: "orders", key: order.id, index: [
            "day": "\(order.communityID)|\(order.date)", "resident": order.residentID,
        ], expectedVersion: expectedVersion)
    }

    func orders(community: String, date: String) async throws -> [CanteenOrder] {
        try await store.all(CanteenOrder.self, collection: "orders", where: ["day": "\(community)|\(date)"])
    }

    func learnMember(_ memberID: String, community: String) async throws {
        try await learned.keep("members/\(memberID)", as: community) {
            try await memberCommunity(memberID)
        } write: {
            var record = CanteenKnownMember()
            record.memberID = memberID
            record.communityID = community
            try await store.put(record, collection: "members", key: memberID, index: ["community": community])
        }
    }

    func memberCommunity(_ memberID: String) async throws -> String? {
        try await store.get(CanteenKnownMember.self, collection: "members", key: memberID)?.communityID
    }
}
