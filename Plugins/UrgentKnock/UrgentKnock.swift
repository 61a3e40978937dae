import Foundation
import KnockModuleKit

/// 随时敲 Urgent matters: the no-answer ladder for vulnerable residents, and emergencies.
///
/// A knock that finds no answer at the home of a vulnerable resident (by default one tagged
/// living alone, advanced age, recently discharged or disabled) opens a case, which then climbs
/// a ladder of steps — knock again, phone the resident, phone the emergency contact, alert the
/// community secretary, authorised entry. Each step is timed, assigned and acknowledged:
///
/// - **Assessing a visit**: a no-answer visit to a vulnerable resident opens a case at the
///   ladder's first step, or moves the resident's open case on by one step; a visit that meets
///   the resident closes the open case. Entering a step suggests an alert (critical from the
///   secretary step on) and, for knock-again and phone, a knock today for the assignee.
/// - **Tick**: a step whose time to acknowledge has passed (judged by the event's time)
///   escalates to the next step, recorded in the timeline as ended by `timeout`, and raises
///   the next step's alert. One step per tick: the next step gets its full time from then.
/// - **Methods**: `urgent-knock.RaiseEmergency` (a resident's or integrator's emergency, at a
///   chosen step), `ListCases`, `GetCase` (the full timeline), `Acknowledge` (the current step's
///   assignee or staff: reached closes the case, not reached starts the next step),
///   `RecordEntry` (staff or administrators authorise an entry: who, when, what was found;
///   closes the case). Acknowledging a step that is not current, or anything of a closed case,
///   is `FAILED_PRECONDITION`.
/// - **Alerts**: the module names each alert it raises and keeps the ids with the case
///   (``CaseAlerts``); when a case closes, its alerts still open are acknowledged with how it
///   ended.
///
/// Configuration (see ``UrgentKnockSettings``): `ladder` (default
/// `knock-again:30,phone:15,emergency-contact:15,secretary:15,entry`, minutes), `vulnerable`
/// (default `living-alone,advanced-age,recently-discharged,disabled`), `secretary.<community>`
/// (a member id; default any staff member). The day of a knock again is the deployment's
/// (``ModuleContext/timeZone``).
public struct UrgentKnock: KnockModule {
    /// Creates the module.
    public init() {}

    /// Opens a case for a resident's emergency at a chosen step (members, administrators,
    /// integrators).
    public static let raiseEmergency = RPCMethod<UrgentKnockRaiseEmergencyRequest, UrgentKnockCase>("urgent-knock.RaiseEmergency")
    /// The cases of a community.
    public static let listCases = RPCMethod<UrgentKnockListCasesRequest, UrgentKnockListCasesResponse>("urgent-knock.ListCases")
    /// One case with its timeline.
    public static let getCase = RPCMethod<UrgentKnockGetCaseRequest, UrgentKnockCase>("urgent-knock.GetCase")
    /// Acknowledges the current step.
    public static let acknowledge = RPCMethod<UrgentKnockAcknowledgeRequest, UrgentKnockCase>("urgent-knock.Acknowledge")
    /// Records an authorised entry and closes the case (staff, administrators).
    public static let recordEntry = RPCMethod<UrgentKnockRecordEntryRequest, UrgentKnockCase>("urgent-knock.RecordEntry")

    /// Who the module is: 随时敲, assessing visits and handling the tick; it raises alerts and
    /// reads residents through the host.
    public var descriptor: ModuleDescriptor {
        var descriptor = ModuleDescriptor()
        descriptor.id = "urgent-knock"
        descriptor.nameZh = "随时敲"
        descriptor.nameEn = "Urgent matters"
        descriptor.version = "1.0.0"
        descriptor.summary = "A vulnerable resident who does not answer starts a timed, assigned, acknowledged ladder: knock again, phone, emergency contact, secretary, authorised entry; and emergencies raised at any time."
        descriptor.methods = [
            Self.raiseEmergency.descriptor, Self.listCases.descriptor, Self.getCase.descriptor, Self.acknowledge.descriptor, Self.recordEntry.descriptor,
        ].map(ModuleMethodInfo.init)
        descriptor.events = ["tick"]
        descriptor.permissions = ["alerts.write", "residents.read"]
        descriptor.assessesVisits = true
        descriptor.plansDays = false
        // Every visit that met or missed the resident reads the pointer to their open case: it
        // comes with the visit.
        descriptor.visitRecords = [CaseBook.open]
        // Generated from Protocol/modules/urgent-knock.proto with the methods above; a mismatch
        // is a build defect, which the descriptor test catches (the set would be empty).
        try? descriptor.embedSchemas(base64: UrgentKnockSchemas.base64)
        return descriptor
    }

    /// Opens or moves a case on a no-answer visit to a vulnerable resident; closes the open case
    /// on a visit that met the resident.
    /// - Throws: ``RPCError`` for a bad configuration or a store failure.
    public func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] {
        guard request.visit.outcome == .noAnswer || request.visit.outcome == .met else { return [] }
        let settings = try context.configuration(as: UrgentKnockSettings.self)
        // Visits to one resident at once change one case: whichever writes second reads again,
        // from the store (not the pointer that came with the visit).
        var attempt = request
        return try await RPCError.retryingOnConflict {
            defer { attempt = request.withoutVisitRecords }
            return try await assess(attempt, settings: settings, context: context)
        }
    }

    /// One try at ``assess(_:context:)`` for a visit that met the resident or found no answer.
    private func assess(_ request: ModuleAssessRequest, settings: UrgentKnockSettings, context: ModuleContext) async throws -> [ModuleSuggestion] {
        let visit = request.visit
        let resident = request.resident
        let book = CaseBook(store: context.store)
        let at = visit.hasAt ? visit.at.date : context.clock.now()
        let member = "member:\(visit.memberID)"
        let open = try await book.openCase(of: request)
        if let open, open.value.visitIds.contains(visit.id) { return [] }

        if visit.outcome == .met {
            guard var changed = open?.value, let version = open?.version else { return [] }
            changed.visitIds.append(visit.id)
            changed.endCurrent(.met, by: "visit:\(visit.id)", at: at)
            changed.close(by: member, at: at, resolution: "met at visit \(visit.id) by \(member)")
            try await book.save(changed, over: version)
            context.logger.info("case closed: the resident was met", metadata: ["case": "\(changed.id)", "visit": "\(visit.id)"])
            await Self.acknowledgeAlerts(of: changed, context: context)
            return []
        }

        guard settings.isVulnerable(resident.tags) else { return [] }
        let cause = "did not answer (\(visit.channel == .phone ? "phone" : "door"), visit \(visit.id) by \(member))"
        if var changed = open?.value, let version = open?.version {
            changed.visitIds.append(visit.id)
            let moved = changed.advance(ending: .noAnswer, by: "visit:\(visit.id)", startedBy: "visit:\(visit.id) (no answer)", at: at, settings: settings)
            let alertID = changed.nameNextAlert()
            try await book.save(changed, over: version)
            // Already at authorised entry (not moved): say again that it is awaited.
            return changed.notices(cause: moved == nil ? "still \(cause)" : cause, day: context.calendar.day(of: at), alertID: alertID)
        }
        var opened = UrgentKnockCase.open(
            id: Self.caseID(visit: visit.id), resident: resident, origin: .noAnswer, openedBy: member, summary: "no answer: \(cause)",
            at: settings.ladder.first, startedBy: "visit:\(visit.id) (no answer)", time: at, settings: settings
        )
        opened.visitIds = [visit.id]
        let alertID = opened.nameNextAlert()
        try await book.create(opened)
        context.logger.info("case opened: a vulnerable resident did not answer", metadata: ["case": "\(opened.id)", "resident": "\(resident.id)"])
        return opened.notices(cause: cause, day: context.calendar.day(of: at), alertID: alertID)
    }

    /// On `tick`: escalates each open case of the community whose current step was not
    /// acknowledged by its time, and raises the next step's alert.
    /// - Throws: ``RPCError`` for a bad configuration or a store failure.
    public func handle(_ event: ModuleEvent, context: ModuleContext) async throws -> [ModuleSuggestion] {
        guard event.kind == "tick", !event.communityID.isEmpty else { return [] }
        let settings = try context.configuration(as: UrgentKnockSettings.self)
        let book = CaseBook(store: context.store)
        let at = event.hasAt ? event.at.date : context.clock.now()
        let day = event.attributes["date"] ?? context.calendar.day(of: at)
        var suggestions: [ModuleSuggestion] = []
        for stored in try await book.openCases(in: event.communityID) {
            guard let overdue = stored.value.overdue(at: at) else { continue }
            var changed = stored.value
            guard changed.advance(ending: .timedOut, by: "timeout", startedBy: "timeout", at: at, settings: settings) != nil else { continue }
            let alertID = changed.nameNextAlert()
            do {
                try await book.save(changed, over: stored.version)
            } catch let error as RPCError where error.code == .aborted {
                continue  // acknowledged meanwhile; the next tick looks again
            }
            context.logger.notice("step not acknowledged in time: escalated", metadata: [
                "case": "\(changed.id)", "from": "\(overdue.kind.configurationName)", "to": "\(changed.steps.last?.kind.configurationName ?? "")",
            ])
            suggestions += changed.notices(cause: "not reached: step \(overdue.kind.configurationName) was not acknowledged in time", day: day, alertID: alertID)
        }
        return suggestions
    }

    /// Acknowledges the alerts still open of a case just closed; a failure is logged, not
    /// thrown (the case is closed whatever becomes of its alerts).
    static func acknowledgeAlerts(of closed: UrgentKnockCase, context: ModuleContext) async {
        guard let host = context.host else { return }
        do {
            try await CaseAlerts.acknowledge(closed, host: host)
        } catch {
            context.logger.warning("the alerts of a closed case could not all be acknowledged", metadata: ["case": "\(closed.id)", "error": "\(error)"])
        }
    }

    /// The id of the case a visit opens: `visit-<visit id>`, or for a visit id longer than 40
    /// bytes `visit-<its 64-bit FNV-1a hash>`, so case ids (and the alert ids made from them)
    /// stay within the store's and the host's limits.
    static func caseID(visit id: String) -> String {
        guard id.utf8.count > 40 else { return "visit-\(id)" }
        let hash = id.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
        return "visit-" + String(hash, radix: 16)
    }

    /// Checks this deployment's configuration at start (see ``UrgentKnockSettings``).
    public func validate(configuration: [String: String]) throws {
        _ = try UrgentKnockSettings(configuration)
    }

    /// Registers `urgent-knock.*`.
    public func registerMethods(with router: inout RPCRouter, context: ModuleContext) {
        let desk = CaseDesk(context: context)
        router.register(Self.raiseEmergency) { request, server in try await desk.raiseEmergency(request, caller: try server.requireCaller()) }
        router.register(Self.listCases) { request, server in try await desk.list(request, caller: try server.requireCaller()) }
        router.register(Self.getCase) { request, server in try await desk.get(request, caller: try server.requireCaller()) }
        router.register(Self.acknowledge) { request, server in try await desk.acknowledge(request, caller: try server.requireCaller()) }
        router.register(Self.recordEntry) { request, server in try await desk.recordEntry(request, caller: try server.requireCaller()) }
    }
}
