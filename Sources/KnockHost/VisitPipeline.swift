import Foundation
import KnockDomain
import KnockModuleKit
import KnockStore
import Logging
import SwiftProtobuf

/// What happens when a visit is recorded (随身记载): the visit is stored durably, every enabled
/// method assesses it in parallel (each within its time limit), their suggestions are applied
/// with their provenance and without duplicates, and the methods that asked for them hear of
/// the alerts and needs raised.
///
/// The methods are asked as soon as the visit is written in its transaction, while that
/// transaction commits (the log's sync is most of a write's time); their suggestions are
/// applied, and the caller answered, only once the visit is durable. If the commit fails, the
/// caller gets the error and nothing the methods suggested is applied (a method's own records
/// written meanwhile stay: methods keep theirs idempotent by visit). A method that hangs or
/// fails costs its own suggestions, never the record; the answer names it. A retried record
/// (same client id) is answered from the store and consults nobody again.
final class VisitPipeline: Sendable {
    let database: KnockDatabase
    let coordinator: ModuleCoordinator
    let lifecycle: NeedLifecycle
    let timeZone: TimeZone
    let logger: Logger

    init(database: KnockDatabase, coordinator: ModuleCoordinator, lifecycle: NeedLifecycle, timeZone: TimeZone, logger: Logger) {
        self.database = database
        self.coordinator = coordinator
        self.lifecycle = lifecycle
        self.timeZone = timeZone
        self.logger = logger
    }

    /// Records `request.visit` for `caller`.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` for a malformed visit, `NOT_FOUND` for a
    ///   resident the caller cannot see, `ALREADY_EXISTS` for an id already used by a different
    ///   visit.
    func record(_ request: CommunityRecordVisitRequest, caller: Caller) async throws -> CommunityRecordVisitResponse {
        guard request.hasVisit else { throw RPCError.invalidField("visit", "is required") }
        let residentID = request.visit.residentID
        guard !residentID.isEmpty else { throw RPCError.invalidField("visit.resident_id", "is required") }
        let defaultMember: String = if case .member(let id) = caller.provenance { id } else { "" }
        let visit = try Visit(message: request.visit, defaultMember: defaultMember)

        // The methods assess the visit as soon as it is written, while it commits; what they
        // suggest is applied, and the caller answered, once it is durable.
        // The records they want with it are read in the same write (for every community: the
        // methods of the resident's are picked once it is known).
        let (written, assessment) = try await database.recordVisit(visit, caller: caller, withRecords: coordinator.visitRecordCollections(in: "")) { written in
            await self.assess(written)
        }
        var response = CommunityRecordVisitResponse()
        switch written.recording {
        case .duplicate(let existing):
            response.visit = existing.message
            response.duplicate = true
            return response
        case .recorded(let recorded):
            response.visit = recorded.message
        }
        guard let (suggestions, failures) = assessment else { return response }
        response.problems = failures.map(\.problem)
        response.raised = try await apply(
            suggestions, visitID: visit.id, caller: caller, known: [written.resident],
            knownNeeds: written.activeNeeds.map { [written.resident.id: $0] } ?? [:]
        )
        return response
    }

    /// The methods' assessment of a visit just written: `nil` for a duplicate (nobody is
    /// consulted again) or where no method assesses visits.
    private func assess(_ written: KnockDatabase.WrittenVisit) async -> (suggestions: [ModuleSuggestion], failures: [ModuleFailure])? {
        guard case .recorded(let stored) = written.recording, coordinator.assessesVisits(in: stored.communityID) else { return nil }
        let resident = written.resident
        var assess = ModuleAssessRequest()
        assess.visit = stored.message
        // Methods see contacts masked unless they asked for them (`residents.contact`).
        assess.resident = resident.message(keyPerson: written.keyPerson, revealContacts: false)
        assess.communityID = resident.communityID
        return await coordinator.assess(assess, visitRecords: visitRecords(written.records, in: resident.communityID))
    }

    /// What each method assessing visits in `communityID` gets along with a visit: the
    /// collections it named and those of `found` it holds. If they were not read, the methods
    /// get none and read their stores themselves.
    private func visitRecords(_ found: [String: [StoredRecord]]?, in communityID: String) -> [String: ModuleVisitRecords] {
        guard let found else { return [:] }
        var records: [String: ModuleVisitRecords] = [:]
        for (module, collections) in coordinator.visitRecordCollections(in: communityID) {
            var visitRecords = ModuleVisitRecords()
            visitRecords.collections = collections
            visitRecords.found = (found[module] ?? []).map(DatabaseModuleStore.record)
            records[module] = visitRecords
        }
        return records
    }

    /// Applies modules' suggestions (already attributed and de-duplicated among themselves) and
    /// reports what became of each. Suggestions that cannot be read are reported as rejected.
    /// - Parameters:
    ///   - announcing: Whether the modules that asked hear of the needs and alerts raised
    ///     (not when the suggestions answer such an announcement: no cascades).
    ///   - known: Residents just read (the visited one), not read again to check the suggestions.
    ///   - knownNeeds: Their active needs just read, by resident, then category (first id).
    func apply(
        _ suggestions: [ModuleSuggestion], visitID: String?, caller: Caller, announcing: Bool = true, known: [Resident] = [],
        knownNeeds: [String: [String: String]] = [:]
    ) async throws -> [CommunityAppliedSuggestion] {
        guard !suggestions.isEmpty else { return [] }
        var report: [CommunityAppliedSuggestion] = suggestions.map { message in
            var entry = CommunityAppliedSuggestion()
            entry.suggestion = message
            return entry
        }
        var readable: [(index: Int, suggestion: Suggestion)] = []
        let (read, places) = try await self.readable(suggestions, caller: caller, known: known)
        for (index, (problem, suggestion)) in read.enumerated() {
            if let suggestion {
                readable.append((index, suggestion))
            } else {
                report[index].outcome = .rejected
                report[index].detail = problem ?? "unreadable"
            }
        }
        let outcomes = try await database.apply(
            readable.map(\.suggestion), visitID: visitID, at: Date(), lifecycle: lifecycle, known: Array(places.values), knownNeeds: knownNeeds
        )
        for (position, applied) in outcomes.enumerated() {
            let index = readable[position].index
            switch applied.outcome {
            case .applied(let id):
                report[index].outcome = .applied
                report[index].recordID = id
            case .duplicate(let id):
                report[index].outcome = .duplicate
                report[index].recordID = id
            case .rejected(let reason):
                report[index].outcome = .rejected
                report[index].detail = reason
            }
        }
        if announcing { await announce(report, caller: caller) }
        return report
    }

    /// Tells the modules that asked for them of the needs and alerts just raised.
    private func announce(_ applied: [CommunityAppliedSuggestion], caller: Caller) async {
        for entry in applied where entry.outcome == .applied {
            switch entry.suggestion.kind {
            case .raiseNeed(let need):
                await emit(kind: "need.status_changed", residentID: need.residentID, needID: entry.recordID,
                           attributes: ["from": "", "to": NeedStatus.open.rawValue, "category": need.category], caller: caller)
            case .raiseAlert(let alert):
                await emit(kind: "alert.raised", residentID: alert.residentID,
                           attributes: ["alert_id": entry.recordID, "message": alert.message], caller: caller)
            default:
                continue
            }
        }
    }

    /// Tells every module that asked for `kind` what happened, and applies what they suggest in
    /// turn (once: what their suggestions raise is not announced again). A module that fails
    /// costs only its own suggestions; a failure to apply them is logged, never thrown, because
    /// the change that caused the event is already stored.
    func emit(kind: String, residentID: String, communityID: String = "", needID: String = "", attributes: [String: String], caller: Caller) async {
        var event = ModuleEvent()
        event.kind = kind
        event.at = Google_Protobuf_Timestamp(date: Date())
        event.residentID = residentID
        event.communityID = communityID
        event.needID = needID
        event.attributes = attributes
        do {
            _ = try await tell(event, caller: caller, announcing: false)
        } catch {
            logger.warning("could not apply what modules suggested on \(kind)", metadata: ["error": "\(error)"])
        }
    }

    /// Tells the modules that asked for `event.kind`, applies what they suggest (and announces
    /// the needs and alerts it raises), and reports what became of each suggestion and which
    /// modules did not answer.
    /// - Throws: ``StoreError`` if the suggestions cannot be applied.
    func tell(_ event: ModuleEvent, caller: Caller, announcing: Bool = true) async throws -> (raised: [CommunityAppliedSuggestion], failures: [ModuleFailure]) {
        let (suggestions, failures) = await coordinator.handle(event)
        return (try await apply(suggestions, visitID: nil, caller: caller, announcing: announcing), failures)
    }

    /// Each suggestion in the core's terms, or why it cannot be read. The households of
    /// scheduled knocks come from `known` or are read.
    /// - Returns: The suggestions, and the residents known or read by id (checking the
    ///   suggestions need not read them again).
    private func readable(
        _ suggestions: [ModuleSuggestion], caller: Caller, known: [Resident]
    ) async throws -> (suggestions: [(String?, Suggestion?)], residents: [String: Resident]) {
        let today = CalendarDay(containing: Date(), in: timeZone)
        var places = known.reduce(into: [String: Resident]()) { $0[$1.id] = $1 }
        let unread = Set(suggestions.compactMap(\.scheduledResidentID)).subtracting(places.keys)
        if !unread.isEmpty {
            for resident in try await database.residents(ids: Array(unread), caller: caller.unaudited) { places[resident.id] = resident }
        }
        let read = suggestions.map { message -> (String?, Suggestion?) in
            do {
                return (nil, try Suggestion(message: message, module: message.suggestedBy, place: { places[$0] }, defaultDay: today))
            } catch {
                return ((error as? RPCError)?.message ?? "\(error)", nil)
            }
        }
        return (read, places)
    }
}

extension ModuleSuggestion {
    /// The resident of a scheduled knock, whose household the knock needs.
    var scheduledResidentID: String? {
        if case .scheduleKnock(let knock) = kind { return knock.residentID }
        return nil
    }
}

extension ModuleFailure {
    var problem: CommunityModuleProblem {
        var problem = CommunityModuleProblem()
        problem.module = moduleID
        problem.detail = code == .deadlineExceeded ? "timed out" : "failed: \(message)"
        return problem
    }
}
