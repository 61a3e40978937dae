import Foundation
import KnockModuleKit
import SwiftProtobuf

/// The `urgent-knock.*` methods: each checks its request and its caller, then reads and
/// writes cases through ``CaseBook``. A refused call writes nothing.
struct CaseDesk: Sendable {
    let context: ModuleContext

    private var book: CaseBook { CaseBook(store: context.store) }

    // MARK: RaiseEmergency

    /// Raises a resident's emergency: opens a case at the chosen step, or joins the resident's
    /// open case (moving it on to the chosen step if that is later on the ladder), and raises a
    /// critical alert. A retry with the same id answers the same case and raises nothing new.
    /// - Throws: ``RPCError``: `PERMISSION_DENIED` for a caller who is not a member, an
    ///   administrator or an integrator; `INVALID_ARGUMENT` for a missing resident or summary, a
    ///   bad id or a step not on the ladder; `NOT_FOUND` for a resident unknown or outside the
    ///   member's community; `ALREADY_EXISTS` for an id used for another resident's emergency;
    ///   `ABORTED` if the resident's case changed meanwhile; `UNAVAILABLE` without a host.
    func raiseEmergency(_ request: UrgentKnockRaiseEmergencyRequest, caller: ModuleCaller) async throws -> UrgentKnockCase {
        guard caller.isAdministrator || caller.isMember || caller.kind == "integrator" else {
            throw RPCError(code: .permissionDenied, message: "emergencies are raised by members, integrators and administrators, not \(caller.identity)")
        }
        let settings = try context.configuration(as: UrgentKnockSettings.self)
        try RPCError.checkID(request.id, field: "id", optional: true)
        try RPCError.checkID(request.residentID, field: "resident_id")
        let summary = try Self.text(request.summary, field: "summary")
        let rung: Ladder.Rung
        if request.startAt == .unspecified {
            rung = settings.ladder.first
        } else {
            guard let chosen = settings.ladder.rung(request.startAt) else {
                throw RPCError(code: .invalidArgument, message: "start_at: \(request.startAt.configurationName) is not a step of this ladder (\(settings.ladder.rungs.map(\.kind.configurationName).joined(separator: ", ")))")
            }
            rung = chosen
        }
        guard let host = context.host else {
            throw RPCError(code: .unavailable, message: "urgent-knock cannot reach the host to read resident \(request.residentID)")
        }
        var lookup = CommunityGetResidentRequest()
        lookup.id = request.residentID
        let resident = try await host.call(CommunityMethods.getResident, lookup, options: CallOptions(timeout: .seconds(5)))
        if caller.isMember, resident.communityID != caller.communityID {
            throw RPCError(code: .notFound, message: "no resident \(request.residentID)")
        }

        // A retry: the same case, and its alert (raised again only if the first try did not).
        if !request.id.isEmpty, let known = try await context.store.get(UrgentKnockEmergencyKey.self, collection: Self.emergencyKeys, key: request.id) {
            guard known.residentID == resident.id, let existing = try await book.find(known.caseID) else {
                throw RPCError(code: .alreadyExists, message: "id \(request.id) was used for another resident's emergency")
            }
            let number = (existing.value.emergencies.firstIndex { $0.id == request.id } ?? 0) + 1
            let alertID = CaseAlerts.emergencyAlertID(existing.value.id, emergency: number)
            try await raiseAlert(for: existing.value, cause: "emergency: \(summary)", alertID: alertID, urgency: .critical)
            return existing.value
        }

        let now = context.clock.now()
        var emergency = UrgentKnockEmergency()
        emergency.id = request.id.isEmpty ? UUID().uuidString.lowercased() : request.id
        emergency.raisedBy = caller.provenance
        emergency.at = Google_Protobuf_Timestamp(date: now)
        emergency.summary = summary
        emergency.startAt = rung.kind
        func key(for caseID: String) throws -> [ModuleRecord] {
            guard !request.id.isEmpty else { return [] }
            var key = UrgentKnockEmergencyKey()
            key.caseID = caseID
            key.residentID = resident.id
            return [try ModuleRecord.make(key, collection: Self.emergencyKeys, key: request.id)]
        }

        if let open = try await book.openCase(of: resident.id) {
            var changed = open.value
            changed.emergencies.append(emergency)
            let ladder = settings.ladder.rungs.map(\.kind)
            if let current = changed.current, let from = ladder.firstIndex(of: current.kind), let to = ladder.firstIndex(of: rung.kind), to > from {
                changed.endCurrent(.emergency, by: caller.provenance, at: now)
                changed.start(rung, by: "\(caller.provenance) (emergency)", at: now, settings: settings)
            }
            let alertID = changed.nameEmergencyAlert(changed.emergencies.count)
            try await book.save(changed, over: open.version, also: try key(for: changed.id))
            context.logger.notice("emergency joined an open case", metadata: ["case": "\(changed.id)", "resident": "\(resident.id)", "by": "\(caller.identity)"])
            try await raiseAlert(for: changed, cause: "emergency: \(summary)", alertID: alertID, urgency: .critical)
            return changed
        }

        var opened = UrgentKnockCase.open(
            id: "emergency-\(emergency.id)", resident: resident, origin: .emergency, openedBy: caller.provenance, summary: summary,
            at: rung, startedBy: "\(caller.provenance) (emergency)", time: now, settings: settings
        )
        opened.emergencies = [emergency]
        let alertID = opened.nameEmergencyAlert(1)
        try await book.create(opened, also: try key(for: opened.id))
        context.logger.notice("emergency case opened", metadata: ["case": "\(opened.id)", "resident": "\(resident.id)", "by": "\(caller.identity)"])
        try await raiseAlert(for: opened, cause: "emergency: \(summary)", alertID: alertID, urgency: .critical)
        return opened
    }

    /// The store collection of callers' emergency ids.
    static let emergencyKeys = "emergencies"

    // MARK: ListCases, GetCase

    /// The cases of a community, newest first.
    /// - Throws: ``RPCError``: `INVALID_ARGUMENT` for an administrator naming no community or a
    ///   bad filter; `PERMISSION_DENIED` for a member asking about another community, or a
    ///   caller who is neither a member, an integrator nor an administrator.
    func list(_ request: UrgentKnockListCasesRequest, caller: ModuleCaller) async throws -> UrgentKnockListCasesResponse {
        var conditions: [String: String] = [:]
        switch caller.kind {
        case _ where caller.isAdministrator:
            guard !request.communityID.isEmpty else { throw RPCError(code: .invalidArgument, message: "community_id: is required for administrators") }
        case "member":
            guard request.communityID.isEmpty || request.communityID == caller.communityID else {
                throw RPCError(code: .permissionDenied, message: "\(caller.identity) may list the cases of community \(caller.communityID) only")
            }
        case "integrator":
            conditions["opened_by"] = caller.provenance
        default:
            throw RPCError(code: .permissionDenied, message: "\(caller.identity) may not list urgent cases")
        }
        let community = request.communityID.isEmpty ? caller.communityID : request.communityID
        if !community.isEmpty { conditions["community"] = community }
        try RPCError.checkID(community, field: "community_id", optional: true)
        try RPCError.checkID(request.residentID, field: "resident_id", optional: true)
        if !request.residentID.isEmpty { conditions["resident"] = request.residentID }
        switch request.status {
        case .unspecified: break
        case .open: conditions["status"] = "open"
        case .closed: conditions["status"] = "closed"
        case .UNRECOGNIZED(let value): throw RPCError(code: .invalidArgument, message: "status: \(value) is not a case status")
        }
        var response = UrgentKnockListCasesResponse()
        response.cases = try await book.matching(conditions).map(\.value)
            .sorted { ($0.openedAt.date, $0.id) > ($1.openedAt.date, $1.id) }
        return response
    }

    /// One case with its full timeline.
    /// - Throws: ``RPCError`` `NOT_FOUND` for an unknown case or one the caller may not see.
    func get(_ request: UrgentKnockGetCaseRequest, caller: ModuleCaller) async throws -> UrgentKnockCase {
        try await visibleCase(request.id, caller: caller).value
    }

    // MARK: Acknowledge

    /// Acknowledges the current step: `reached` closes the case, `not reached` starts the next
    /// step (and raises its alert).
    /// - Throws: ``RPCError``: `INVALID_ARGUMENT` for a missing step, outcome or note;
    ///   `NOT_FOUND` for an unknown case; `PERMISSION_DENIED` unless the caller is the step's
    ///   assignee, staff of the community or an administrator; `FAILED_PRECONDITION` for a
    ///   closed case, a step that is not the current one, or the entry step (which only
    ///   `RecordEntry` ends); `ABORTED` if the case changed meanwhile.
    func acknowledge(_ request: UrgentKnockAcknowledgeRequest, caller: ModuleCaller) async throws -> UrgentKnockCase {
        guard request.step != .unspecified, UrgentKnockStepKind.ladderSteps.contains(request.step) else {
            throw RPCError(code: .invalidArgument, message: "step: name the step acknowledged (knock-again, phone, emergency-contact, secretary, entry)")
        }
        guard request.outcome == .reached || request.outcome == .notReached else {
            throw RPCError(code: .invalidArgument, message: "outcome: reached or not reached")
        }
        let note = try Self.text(request.note, field: "note")
        let settings = try context.configuration(as: UrgentKnockSettings.self)
        let stored = try await visibleCase(request.caseID, caller: caller)
        var changed = stored.value
        guard let current = changed.current else {
            throw RPCError(code: .failedPrecondition, message: "case \(changed.id) is closed (\(changed.resolution))")
        }
        guard caller.isStaff(of: changed.communityID) || current.assignee == caller.provenance else {
            throw RPCError(code: .permissionDenied, message: "step \(current.kind.configurationName) of case \(changed.id) is assigned to \(current.assignee); \(caller.identity) may not acknowledge it")
        }
        guard current.kind == request.step else {
            throw RPCError(code: .failedPrecondition, message: "case \(changed.id) is at step \(current.kind.configurationName), not \(request.step.configurationName)")
        }
        guard current.kind != .entry else {
            throw RPCError(code: .failedPrecondition, message: "case \(changed.id) awaits an authorised entry: record it with urgent-knock.RecordEntry")
        }
        let at = context.clock.now()
        let last = changed.steps.count - 1
        changed.steps[last].acknowledgedBy = caller.provenance
        changed.steps[last].acknowledgedAt = Google_Protobuf_Timestamp(date: at)
        changed.steps[last].note = note
        if request.outcome == .reached {
            changed.endCurrent(.reached, by: caller.provenance, at: at)
            changed.close(by: caller.provenance, at: at, resolution: "reached at step \(current.kind.configurationName): \(note)")
            try await book.save(changed, over: stored.version)
            await UrgentKnock.acknowledgeAlerts(of: changed, context: context)
            return changed
        }
        _ = changed.advance(ending: .notReached, by: caller.provenance, startedBy: "\(caller.provenance) (not reached)", at: at, settings: settings)
        let alertID = changed.nameNextAlert()
        try await book.save(changed, over: stored.version)
        try await raiseAlert(for: changed, cause: "not reached at step \(current.kind.configurationName): \(note)", alertID: alertID)
        return changed
    }

    // MARK: RecordEntry

    /// Records an authorised entry (authorised by the caller) and closes the case.
    /// - Throws: ``RPCError``: `INVALID_ARGUMENT` for a missing `entered_by` or `found`, or an
    ///   entry time before the case or in the future; `NOT_FOUND` for an unknown case;
    ///   `PERMISSION_DENIED` unless the caller is staff of the community or an administrator;
    ///   `FAILED_PRECONDITION` for a closed case; `ABORTED` if the case changed meanwhile.
    func recordEntry(_ request: UrgentKnockRecordEntryRequest, caller: ModuleCaller) async throws -> UrgentKnockCase {
        let stored = try await visibleCase(request.caseID, caller: caller)
        var changed = stored.value
        guard caller.isStaff(of: changed.communityID) else {
            throw RPCError(code: .permissionDenied, message: "only staff of community \(changed.communityID) or an administrator may authorise an entry; \(caller.identity) may not")
        }
        let enteredBy = try Self.text(request.enteredBy, field: "entered_by")
        let found = try Self.text(request.found, field: "found")
        let settings = try context.configuration(as: UrgentKnockSettings.self)
        let now = context.clock.now()
        let enteredAt = request.hasEnteredAt ? request.enteredAt.date : now
        guard enteredAt <= now.addingTimeInterval(300) else {
            throw RPCError(code: .invalidArgument, message: "entered_at: \(enteredAt) is in the future")
        }
        guard enteredAt >= changed.openedAt.date else {
            throw RPCError(code: .invalidArgument, message: "entered_at: \(enteredAt) is before case \(changed.id) was opened")
        }
        guard let current = changed.current else {
            throw RPCError(code: .failedPrecondition, message: "case \(changed.id) is closed (\(changed.resolution))")
        }
        if current.kind != .entry {
            // Entry authorised ahead of the ladder: the current step ends, the entry step starts.
            changed.endCurrent(.entered, by: caller.provenance, at: now)
            changed.start(Ladder.Rung(kind: .entry, minutes: nil), by: "\(caller.provenance) (entry authorised)", at: now, settings: settings)
        }
        let last = changed.steps.count - 1
        changed.steps[last].acknowledgedBy = caller.provenance
        changed.steps[last].acknowledgedAt = Google_Protobuf_Timestamp(date: now)
        changed.steps[last].note = "entered by \(enteredBy): \(found)"
        changed.endCurrent(.entered, by: caller.provenance, at: enteredAt)
        var entry = UrgentKnockEntry()
        entry.authorisedBy = caller.provenance
        entry.authorisedAt = Google_Protobuf_Timestamp(date: now)
        entry.enteredBy = enteredBy
        entry.enteredAt = Google_Protobuf_Timestamp(date: enteredAt)
        entry.found = found
        changed.entry = entry
        changed.close(by: caller.provenance, at: now, resolution: "entry authorised by \(caller.provenance), entered by \(enteredBy): \(found)")
        try await book.save(changed, over: stored.version)
        context.logger.notice("authorised entry recorded", metadata: ["case": "\(changed.id)", "by": "\(caller.identity)"])
        await UrgentKnock.acknowledgeAlerts(of: changed, context: context)
        return changed
    }

    // MARK: Helpers

    /// The case `id` if the caller may see it.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` for a missing id, `NOT_FOUND` otherwise.
    private func visibleCase(_ id: String, caller: ModuleCaller) async throws -> CaseBook.Stored {
        try RPCError.checkID(id, field: "case_id")
        guard let stored = try await book.find(id), stored.value.isVisible(to: caller) else {
            throw RPCError(code: .notFound, message: "no urgent case \(id)")
        }
        return stored
    }

    /// Raises an alert about the case's current step through the host, idempotently: the
    /// alert's id is one the case keeps (``CaseAlerts``), and one that exists is left as is.
    private func raiseAlert(for raised: UrgentKnockCase, cause: String, alertID: String, urgency: CommunityUrgency? = nil) async throws {
        guard let host = context.host else {
            throw RPCError(code: .unavailable, message: "urgent-knock cannot reach the host to raise the alert of case \(raised.id)")
        }
        guard let step = raised.steps.last else { return }
        var alert = CommunityRaiseAlertRequest()
        alert.id = alertID
        alert.residentID = raised.residentID
        alert.urgency = urgency ?? UrgentKnockCase.urgency(of: step.kind)
        alert.message = raised.alertMessage(cause: cause)
        do {
            _ = try await host.call(CommunityMethods.raiseAlert, alert, options: CallOptions(timeout: .seconds(5)))
        } catch let error as RPCError where error.code == .alreadyExists {
            // Raised by an earlier try of the same call.
        }
    }


    /// A required free text, trimmed; at most 2,000 characters.
    static func text(_ value: String, field: String) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw RPCError(code: .invalidArgument, message: "\(field): is required") }
        guard trimmed.count <= 2_000, !trimmed.unicodeScalars.contains("\u{0}") else {
            throw RPCError(code: .invalidArgument, message: "\(field): at most 2000 characters, without NUL")
        }
        return trimmed
    }
}
