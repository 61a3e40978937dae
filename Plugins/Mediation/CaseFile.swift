import KnockModuleKit

/// The cases and proposals of 顺顺吧 in the module's store: `cases` keyed by case id (indexed by
/// community, status and resident) and `proposals` keyed by proposal id (indexed by community
/// and whether opened). Every change names the version it read, so two changes at once never
/// both land; a case opened from a proposal and the proposal change in one batch.
struct CaseFile: Sendable {
    /// A record as read, with the version to write against.
    struct Stored<Value: Sendable>: Sendable {
        var value: Value
        var version: UInt64
    }

    let store: any ModuleStore

    static let cases = "cases"
    static let proposals = "proposals"

    /// The case `id`, or `nil`.
    func findCase(_ id: String) async throws -> Stored<MediationCase>? {
        guard let record = try await store.get(collection: Self.cases, key: id) else { return nil }
        return Stored(value: try record.decode(MediationCase.self), version: record.version)
    }

    /// The proposal `id`, or `nil`.
    func findProposal(_ id: String) async throws -> Stored<MediationProposal>? {
        guard let record = try await store.get(collection: Self.proposals, key: id) else { return nil }
        return Stored(value: try record.decode(MediationProposal.self), version: record.version)
    }

    /// Records a proposal, once per id.
    /// - Returns: Whether it is new.
    func propose(_ proposal: MediationProposal) async throws -> Bool {
        do {
            try await store.put(proposal, collection: Self.proposals, key: proposal.id, index: Self.index(of: proposal), expectedVersion: 0)
            return true
        } catch let error as RPCError where error.code == .failedPrecondition {
            return false
        }
    }

    /// Cases whose indexed fields match.
    func cases(where conditions: [String: String]) async throws -> [MediationCase] {
        try await store.all(MediationCase.self, collection: Self.cases, where: conditions)
    }

    /// Proposals not yet opened in `community`.
    func openProposals(in community: String) async throws -> [MediationProposal] {
        try await store.all(MediationProposal.self, collection: Self.proposals, where: ["community": community, "state": "proposed"])
    }

    /// Stores a new case; from a proposal, marks the proposal opened in the same write.
    /// - Throws: ``RPCError`` `ABORTED` if the case id exists or the proposal changed meanwhile.
    func open(_ opened: MediationCase, from proposal: Stored<MediationProposal>?) async throws {
        var operations: [ModuleBatchRequest.Operation] = [
            .put(try ModuleRecord.make(opened, collection: Self.cases, key: opened.id, index: Self.index(of: opened)), expectedVersion: 0),
        ]
        if let proposal {
            var marked = proposal.value
            marked.caseID = opened.id
            operations.append(.put(try ModuleRecord.make(marked, collection: Self.proposals, key: marked.id, index: Self.index(of: marked)), expectedVersion: proposal.version))
        }
        try await write(operations, what: "opening case \(opened.id)")
    }

    /// Stores a changed case.
    /// - Throws: ``RPCError`` `ABORTED` if it changed since `version` was read.
    func save(_ changed: MediationCase, over version: UInt64) async throws {
        try await write([
            .put(try ModuleRecord.make(changed, collection: Self.cases, key: changed.id, index: Self.index(of: changed)), expectedVersion: version),
        ], what: "case \(changed.id)")
    }

    private func write(_ operations: [ModuleBatchRequest.Operation], what: String) async throws {
        _ = try await RPCError.abortingOnVersionConflict("\(what) changed meanwhile; try again") { try await store.batch(operations) }
    }

    static func index(of stored: MediationCase) -> [String: String] {
        ["community": stored.communityID, "status": stored.statusName, "resident": stored.residentID]
    }

    static func index(of proposal: MediationProposal) -> [String: String] {
        ["community": proposal.communityID, "state": proposal.caseID.isEmpty ? "proposed" : "opened"]
    }
}
