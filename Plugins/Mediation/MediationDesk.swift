import Foundation
import KnockModuleKit

/// The `mediation.*` methods: each checks its request and its caller, changes the case through
/// its lifecycle and stores it against the version read. A refused call writes nothing. Where a
/// case works a need on the resident-needs list, the need is moved first (idempotently), then
/// the case stored.
struct MediationDesk: Sendable {
    let context: ModuleContext

    private var file: CaseFile { CaseFile(store: context.store) }
    private var needs: NeedLink? { context.host.map(NeedLink.init) }

    // MARK: Reading

    /// Proposals not yet opened in a community.
    /// - Throws: ``RPCError`` as ``community(_:caller:)``.
    func listProposals(_ request: MediationListProposalsRequest, caller: ModuleCaller) async throws -> MediationListProposalsResponse {
        let settings = try context.configuration(as: MediationSettings.self)
        let community = try community(request.communityID, caller: caller, settings: settings)
        var response = MediationListProposalsResponse()
        response.proposals = try await file.openProposals(in: community).sorted { ($0.at.date, $0.id) > ($1.at.date, $1.id) }
        return response
    }

    /// The cases of a community, newest first; statements withheld from non-mediators.
    /// - Throws: ``RPCError`` as ``community(_:caller:)``; `INVALID_ARGUMENT` for an unknown
    ///   status.
    func listCases(_ request: MediationListCasesRequest, caller: ModuleCaller) async throws -> MediationListCasesResponse {
        let settings = try context.configuration(as: MediationSettings.self)
        let community = try community(request.communityID, caller: caller, settings: settings)
        var conditions = ["community": community]
        switch request.status {
        case .unspecified: break
        case .UNRECOGNIZED(let value): throw RPCError(code: .invalidArgument, message: "status: \(value) is not a case status")
        default:
            var probe = MediationCase()
            probe.status = request.status
            conditions["status"] = probe.statusName
        }
        let mediator = settings.isMediator(caller, in: community)
        var response = MediationListCasesResponse()
        let cases = try await file.cases(where: conditions).sorted { ($0.openedAt.date, $0.id) > ($1.openedAt.date, $1.id) }
        try await auditStatements(of: mediator ? cases : [], shownTo: caller)
        response.cases = cases.map { $0.shown(toMediator: mediator) }
        return response
    }

    /// One case; statements withheld, with a note, from non-mediators.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` for no id, `NOT_FOUND` for an unknown case or
    ///   one the caller may not read.
    func getCase(_ request: MediationGetCaseRequest, caller: ModuleCaller) async throws -> MediationCase {
        let settings = try context.configuration(as: MediationSettings.self)
        let stored = try await readable(request.id, caller: caller, settings: settings)
        return try await reveal(stored.value, to: caller, mediator: settings.isMediator(caller, in: stored.value.communityID))
    }

    /// `stored` as `caller` may see it: the statements for a mediator only, and their showing
    /// recorded in the host's audit log (``auditStatements(of:shownTo:)``).
    private func reveal(_ stored: MediationCase, to caller: ModuleCaller, mediator: Bool) async throws -> MediationCase {
        try await auditStatements(of: mediator ? [stored] : [], shownTo: caller)
        return stored.shown(toMediator: mediator)
    }

    /// Records in the host's audit log that `caller` is being shown the parties' statements of
    /// `cases` (`mediation.statements.read`, the parties who are residents): they are personal
    /// data this module keeps itself. If the log cannot be written, the statements are not
    /// shown: the error is the caller's answer. Nothing is recorded where no host is reachable
    /// (a unit test) or no statement names a resident.
    private func auditStatements(of cases: [MediationCase], shownTo caller: ModuleCaller) async throws {
        guard let host = context.host else { return }
        var residents: [String] = []
        for shown in cases {
            let speakers = Set(shown.statements.map(\.partyID))
            residents += shown.parties.filter { speakers.contains($0.id) && !$0.residentID.isEmpty }.map(\.residentID)
        }
        guard !residents.isEmpty else { return }
        var read = CommunityRecordReadRequest()
        read.action = "mediation.statements.read"
        read.residentIds = Array(Set(residents)).sorted()
        read.by = caller.identity
        _ = try await host.call(CommunityMethods.recordRead, read, options: CallOptions(timeout: .seconds(5)))
    }

    // MARK: Opening

    /// Opens a case from a proposal (its id is then the proposal's; the need the proposal
    /// raised is taken on) or fresh.
    /// - Throws: ``RPCError``: `INVALID_ARGUMENT` for a fresh case without kind or summary, or
    ///   an administrator's without community; `NOT_FOUND` for an unknown proposal or one in
    ///   another community; `PERMISSION_DENIED` for a caller who is neither a member of the
    ///   community nor a mediator; `ALREADY_EXISTS` for a chosen id in use.
    func openCase(_ request: MediationOpenCaseRequest, caller: ModuleCaller) async throws -> MediationCase {
        let settings = try context.configuration(as: MediationSettings.self)
        guard request.kind != .unspecified || !request.proposalID.isEmpty, MediationCase.kinds.contains(request.kind) || request.kind == .unspecified else {
            throw RPCError(code: .invalidArgument, message: "kind: neighbour, family, property or other")
        }
        try RPCError.checkID(request.id, field: "id", optional: true)
        try RPCError.checkID(request.residentID, field: "resident_id", optional: true)
        let now = context.clock.now()
        var opened = MediationCase()
        opened.status = .open
        opened.openedBy = caller.provenance
        opened.openedAt = .init(date: now)
        opened.residentID = request.residentID
        var proposal: CaseFile.Stored<MediationProposal>?
        if !request.proposalID.isEmpty {
            try RPCError.checkID(request.proposalID, field: "proposal_id")
            guard let found = try await file.findProposal(request.proposalID), settings.mayRead(caller, in: found.value.communityID) else {
                throw RPCError(code: .notFound, message: "no mediation proposal \(request.proposalID)")
            }
            if !found.value.caseID.isEmpty, let existing = try await file.findCase(found.value.caseID) {
                return try await reveal(existing.value, to: caller, mediator: settings.isMediator(caller, in: existing.value.communityID))  // a retry
            }
            proposal = found
            opened.id = found.value.id
            opened.proposalID = found.value.id
            opened.communityID = found.value.communityID
            opened.kind = request.kind == .unspecified ? found.value.kind : request.kind
            let summary = try Self.text(request.summary, field: "summary", optional: true)
            opened.summary = summary.isEmpty ? found.value.excerpt : summary
            opened.residentID = request.residentID.isEmpty ? found.value.residentID : request.residentID
            if let needs {
                opened.needID = try await needs.find(residentID: found.value.residentID, visitID: found.value.visitID) ?? ""
            }
        } else {
            opened.communityID = try community(request.communityID, caller: caller, settings: settings)
            opened.kind = request.kind
            opened.summary = try Self.text(request.summary, field: "summary")
            opened.id = request.id.isEmpty ? "case-\(UUID().uuidString.lowercased())" : "case-\(request.id)"
            if let existing = try await file.findCase(opened.id) {
                guard existing.value.summary == opened.summary, existing.value.communityID == opened.communityID else {
                    throw RPCError(code: .alreadyExists, message: "id \(request.id) names another case")
                }
                return try await reveal(existing.value, to: caller, mediator: settings.isMediator(caller, in: existing.value.communityID))
            }
        }
        guard settings.mayRead(caller, in: opened.communityID) else {
            throw RPCError(code: .permissionDenied, message: "\(caller.identity) may not open cases in community \(opened.communityID)")
        }
        if opened.residentID != proposal?.value.residentID {
            try await checkResident(opened.residentID, in: opened.communityID, field: "resident_id")
        }
        opened.noteOpened(by: caller.provenance, at: now)
        if let needs, !opened.needID.isEmpty { try await needs.start(opened.needID) }
        try await file.open(opened, from: proposal)
        context.logger.info("mediation case opened", metadata: ["case": "\(opened.id)", "by": "\(caller.identity)"])
        return try await reveal(opened, to: caller, mediator: settings.isMediator(caller, in: opened.communityID))
    }

    // MARK: Changing

    /// Adds a party (members of the community and mediators).
    func addParty(_ request: MediationAddPartyRequest, caller: ModuleCaller) async throws -> MediationCase {
        let name = try Self.text(request.name, field: "name", limit: 100)
        let role = try Self.text(request.role, field: "role", limit: 100, optional: true)
        try RPCError.checkID(request.residentID, field: "resident_id", optional: true)
        return try await change(request.caseID, caller: caller, mediatorsOnly: false) { changed, by, at in
            _ = try changed.addParty(name: name, role: role, residentID: request.residentID, by: by, at: at)
        } beforeSaving: { changed in
            try await checkResident(request.residentID, in: changed.communityID, field: "resident_id")
        }
    }

    /// Records a party's statement (mediators only).
    func recordStatement(_ request: MediationRecordStatementRequest, caller: ModuleCaller) async throws -> MediationCase {
        let text = try Self.text(request.text, field: "text")
        return try await change(request.caseID, caller: caller, mediatorsOnly: true) { changed, by, at in
            try changed.recordStatement(partyID: request.partyID, text: text, by: by, at: at)
        }
    }

    /// Records a mediation session (mediators only).
    func recordSession(_ request: MediationRecordSessionRequest, caller: ModuleCaller) async throws -> MediationCase {
        let summary = try Self.text(request.summary, field: "summary")
        let place = try Self.text(request.place, field: "place", limit: 200, optional: true)
        let now = context.clock.now()
        let heldAt = request.hasHeldAt ? request.heldAt.date : now
        guard heldAt <= now.addingTimeInterval(300) else { throw RPCError(code: .invalidArgument, message: "held_at: a session is recorded once held, not ahead") }
        return try await change(request.caseID, caller: caller, mediatorsOnly: true) { changed, by, at in
            guard heldAt >= changed.openedAt.date.addingTimeInterval(-30 * 86_400) else {
                throw RPCError(code: .invalidArgument, message: "held_at: more than 30 days before the case was opened")
            }
            try changed.recordSession(heldAt: heldAt, place: place, partyIDs: request.partyIds, summary: summary, by: by, at: at)
        }
    }

    /// Records the agreement reached (mediators only); resolves the case's need.
    func recordAgreement(_ request: MediationRecordAgreementRequest, caller: ModuleCaller) async throws -> MediationCase {
        let terms = try Self.text(request.terms, field: "terms")
        guard request.followUpOn.isEmpty || (try? context.calendar.check(request.followUpOn)) != nil else {
            throw RPCError(code: .invalidArgument, message: "follow_up_on: '\(request.followUpOn)' is not a day YYYY-MM-DD")
        }
        return try await change(request.caseID, caller: caller, mediatorsOnly: true) { changed, by, at in
            try changed.recordAgreement(terms: terms, partyIDs: request.partyIds, followUpOn: request.followUpOn, by: by, at: at)
        } beforeSaving: { changed in
            if let needs, !changed.needID.isEmpty { try await needs.resolve(changed.needID, note: "顺顺吧 agreement: \(terms)") }
        }
    }

    /// Follows up the agreement (mediators only): holding closes the case and follows the need
    /// up (with the satisfaction given); broken reopens both.
    func followUp(_ request: MediationFollowUpRequest, caller: ModuleCaller) async throws -> MediationCase {
        let note = try Self.text(request.note, field: "note")
        guard request.result == .holding || request.result == .broken else {
            throw RPCError(code: .invalidArgument, message: "result: holding or broken")
        }
        guard request.satisfaction <= 5 else { throw RPCError(code: .invalidArgument, message: "satisfaction: 1 to 5, or 0 when not asked") }
        return try await change(request.caseID, caller: caller, mediatorsOnly: true) { changed, by, at in
            try changed.followUp(request.result, note: note, by: by, at: at)
        } beforeSaving: { changed in
            guard let needs, !changed.needID.isEmpty else { return }
            if request.result == .holding {
                if request.satisfaction > 0 { try await needs.followUp(changed.needID, satisfaction: request.satisfaction, note: note) }
                return
            }
            let reopened = try await needs.reopen(changed.needID, note: "顺顺吧 agreement broken: \(note)")
            if !reopened, !changed.residentID.isEmpty {
                // Followed up already: the reopened case works a new need.
                changed.needID = try await needs.raise(residentID: changed.residentID, summary: "顺顺吧 case \(changed.id) reopened: \(note)")
                try await needs.start(changed.needID)
            }
        }
    }

    // MARK: Helpers

    /// Reads case `id`, checks the caller, applies `body`, lets `beforeSaving` move the need,
    /// and stores the case against the version read.
    private func change(
        _ id: String, caller: ModuleCaller, mediatorsOnly: Bool,
        _ body: (inout MediationCase, String, Date) throws -> Void,
        beforeSaving: (inout MediationCase) async throws -> Void = { _ in }
    ) async throws -> MediationCase {
        let settings = try context.configuration(as: MediationSettings.self)
        let stored = try await readable(id, caller: caller, settings: settings)
        let mediator = settings.isMediator(caller, in: stored.value.communityID)
        guard mediator || !mediatorsOnly else {
            throw RPCError(code: .permissionDenied, message: "only the mediators of case \(id) may do this; \(caller.identity) is not one")
        }
        var changed = stored.value
        try body(&changed, caller.provenance, context.clock.now())
        try await beforeSaving(&changed)
        try await file.save(changed, over: stored.version)
        return try await reveal(changed, to: caller, mediator: mediator)
    }

    /// Checks that resident `id` (if given) lives in `community`, through the host.
    /// - Throws: ``RPCError`` `NOT_FOUND` for a resident unknown or of another community;
    ///   `UNAVAILABLE` without a host.
    private func checkResident(_ id: String, in community: String, field: String) async throws {
        guard !id.isEmpty else { return }
        guard let host = context.host else {
            throw RPCError(code: .unavailable, message: "mediation cannot reach the host to read resident \(id)")
        }
        var lookup = CommunityGetResidentRequest()
        lookup.id = id
        guard try await host.call(CommunityMethods.getResident, lookup, options: CallOptions(timeout: .seconds(5))).communityID == community else {
            throw RPCError(code: .notFound, message: "\(field): no resident \(id) in community \(community)")
        }
    }

    /// Case `id` if the caller may read it.
    private func readable(_ id: String, caller: ModuleCaller, settings: MediationSettings) async throws -> CaseFile.Stored<MediationCase> {
        try RPCError.checkID(id, field: "case_id")
        guard let stored = try await file.findCase(id), settings.mayRead(caller, in: stored.value.communityID) else {
            throw RPCError(code: .notFound, message: "no mediation case \(id)")
        }
        return stored
    }

    /// The community a call is about: the member's own (asking about another is refused unless
    /// they mediate there), or the one an administrator names.
    private func community(_ asked: String, caller: ModuleCaller, settings: MediationSettings) throws -> String {
        if caller.isAdministrator {
            guard !asked.isEmpty else { throw RPCError(code: .invalidArgument, message: "community_id: is required for administrators") }
            return asked
        }
        guard caller.isMember else {
            throw RPCError(code: .permissionDenied, message: "顺顺吧 cases are for members and administrators, not \(caller.identity)")
        }
        let community = asked.isEmpty ? caller.communityID : asked
        guard settings.mayRead(caller, in: community) else {
            throw RPCError(code: .permissionDenied, message: "\(caller.identity) may not see the cases of community \(community)")
        }
        return community
    }


    static func text(_ value: String, field: String, limit: Int = 4_000, optional: Bool = false) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            if optional { return "" }
            throw RPCError(code: .invalidArgument, message: "\(field): is required")
        }
        guard trimmed.count <= limit, !trimmed.unicodeScalars.contains("\u{0}") else {
            throw RPCError(code: .invalidArgument, message: "\(field): at most \(limit) characters, without NUL")
        }
        return trimmed
    }
}
