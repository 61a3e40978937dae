import Foundation
import KnockModuleKit
import SwiftProtobuf

/// 每天敲 Key groups daily: the rules that put residents on the key-persons list (重点人员清单)
/// and at what cadence, and an alert when a daily key person is not reached by the end of the
/// day.
///
/// - **Assessing a visit**: the visited resident is judged against the rules
///   (``KeyPersonRules``: living alone and 80 or over → daily; recently discharged → daily for
///   two weeks, flagged with `until`; disabled and living alone → daily; configured tags per
///   community, `rule.empty-nest=7`). A rule that applies and is not on the resident's entry
///   becomes a flag (its reason, its cadence); a reason of this module whose rule no longer
///   applies becomes an unflag.
/// - **Planning a day**: nothing of its own. The host plans a knock for each key person due that
///   day from the key-persons list these rules keep, why `重点人员 每N天：…` with the entry's
///   reasons (this module's among them); a knock from this module as well would only say the
///   same again beside it, and cost a district's plan a second pass over its key persons.
/// - **Tick**: at the first tick at or after `day_ends` (20:00), each daily key person of the
///   community still due today raises an alert — once per resident and day (remembered in the
///   store, as is the day's sweep of the community, so later ticks read nothing).
/// - **Methods**: `daily-knock.ExplainRules` (the rules in force for a community) and
///   `daily-knock.Evaluate` (which rules apply to a resident, and why).
///
/// Configuration: see ``DailyKnockSettings`` (`rule.<tag>`, `rule.<tag>.<community>`,
/// `discharge_days` 14, `day_ends` 20:00). Days, `day_ends` and ages are in the deployment's
/// time zone (``ModuleContext/timeZone``).
public struct DailyKnock: KnockModule {
    /// Creates the module.
    public init() {}

    /// The rules in force for a community.
    public static let explainRules = RPCMethod<DailyKnockExplainRulesRequest, DailyKnockExplainRulesResponse>("daily-knock.ExplainRules")
    /// Which rules apply to a resident, and why.
    public static let evaluate = RPCMethod<DailyKnockEvaluateRequest, DailyKnockEvaluateResponse>("daily-knock.Evaluate")

    /// Who the module is: 每天敲, assessing visits and handling the tick; it
    /// reads the key-persons list and residents through the host.
    public var descriptor: ModuleDescriptor {
        var descriptor = ModuleDescriptor()
        descriptor.id = "daily-knock"
        descriptor.nameZh = "每天敲"
        descriptor.nameEn = "Key groups daily"
        descriptor.version = "1.0.0"
        descriptor.summary = "Rules put residents on the key-persons list at a cadence, and the host plans a knock for each due one; a daily key person not reached by the end of the day raises an alert."
        descriptor.methods = [ModuleMethodInfo(Self.explainRules.descriptor), ModuleMethodInfo(Self.evaluate.descriptor)]
        descriptor.events = ["tick"]
        descriptor.permissions = ["keypersons.read", "residents.read"]
        descriptor.assessesVisits = true
        descriptor.plansDays = false
        // Every visit reads whether the resident's discharge was seen: it comes with the visit.
        descriptor.visitRecords = [Self.discharged]
        // Generated from Protocol/modules/daily-knock.proto with the methods above; a mismatch
        // is a build defect, which the descriptor test catches (the set would be empty).
        try? descriptor.embedSchemas(base64: DailyKnockSchemas.base64)
        return descriptor
    }

    /// Judges the visited resident against the rules: flags and unflags.
    /// - Throws: ``RPCError`` for a bad configuration or a store failure.
    public func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] {
        let settings = try context.configuration(as: DailyKnockSettings.self)
        let resident = request.resident
        guard !resident.id.isEmpty else { return [] }
        let at = request.visit.hasAt ? request.visit.at.date : context.clock.now()
        let seen = try await Self.dischargeSeen(for: request, at: at, store: context.store)
        let rules = KeyPersonRules(
            community: resident.communityID.isEmpty ? request.communityID : resident.communityID, settings: settings, calendar: context.calendar
        )
        return rules.suggestions(for: resident, findings: rules.evaluate(resident, at: at, dischargeSeen: seen))
    }

    /// On `tick` at or after the end of the day: an alert for each daily key person of the
    /// community still due today, once per resident and day.
    /// - Throws: ``RPCError`` for a bad configuration, a store failure, or when the host cannot
    ///   be asked.
    public func handle(_ event: ModuleEvent, context: ModuleContext) async throws -> [ModuleSuggestion] {
        guard event.kind == "tick", !event.communityID.isEmpty else { return [] }
        let settings = try context.configuration(as: DailyKnockSettings.self)
        let at = event.hasAt ? event.at.date : context.clock.now()
        let day = event.attributes["date"] ?? context.calendar.day(of: at)
        guard let time = event.attributes["time"], time >= settings.dayEnds else { return [] }
        // One sweep per community and day (the tick comes every minute; each sweep reads the
        // key-persons list, an audited read).
        let sweep = "\(day)/\(event.communityID)"
        if try await context.store.get(collection: "swept", key: sweep) != nil { return [] }
        var suggestions: [ModuleSuggestion] = []
        for entry in try await Self.dueKeyPersons(on: day, community: event.communityID, context: context) where entry.cadenceDays <= 1 {
            var missed = DailyKnockMissedDay()
            missed.residentID = entry.residentID
            missed.date = day
            missed.raisedAt = Google_Protobuf_Timestamp(date: at)
            do {
                try await context.store.put(missed, collection: "missed", key: "\(day)/\(entry.residentID)", index: ["date": day], expectedVersion: 0)
            } catch let error as RPCError where error.code == .failedPrecondition {
                continue  // raised already today
            }
            var alert = ModuleRaiseAlert()
            alert.residentID = entry.residentID
            alert.urgency = .high
            let name = entry.residentName.isEmpty ? entry.residentID : "\(entry.residentName) (\(entry.residentID))"
            alert.message = "每天敲: \(name), a daily key person, was not reached on \(day) by \(settings.dayEnds)"
            var suggestion = ModuleSuggestion()
            suggestion.raiseAlert = alert
            suggestion.reason = "每天敲: daily key person not reached by the end of the day"
            suggestions.append(suggestion)
        }
        var swept = DailyKnockSweep()
        swept.communityID = event.communityID
        swept.date = day
        swept.at = Google_Protobuf_Timestamp(date: at)
        try await context.store.put(swept, collection: "swept", key: sweep, index: ["date": day])
        return suggestions
    }

    /// Checks this deployment's configuration at start (see ``DailyKnockSettings``).
    public func validate(configuration: [String: String]) throws {
        _ = try DailyKnockSettings(configuration)
    }

    /// Registers `daily-knock.*`.
    public func registerMethods(with router: inout RPCRouter, context: ModuleContext) {
        let desk = RuleDesk(context: context)
        router.register(Self.explainRules) { request, server in try await desk.explain(request, caller: try server.requireCaller()) }
        router.register(Self.evaluate) { request, server in try await desk.evaluate(request, caller: try server.requireCaller()) }
    }

    /// The collection remembering when each resident was first seen recently discharged.
    static let discharged = "discharged"

    /// The key persons asked for in one page of the host's list (its largest page).
    static let keyPersonsPerPage: UInt32 = 1_000

    /// The key persons of `community` due on `day`, from the host's list, page by page.
    /// - Throws: ``RPCError`` `UNAVAILABLE` without a host, and what the host answers.
    static func dueKeyPersons(on day: String, community: String, context: ModuleContext) async throws -> [CommunityKeyPerson] {
        guard let host = context.host else {
            throw RPCError(code: .unavailable, message: "daily-knock cannot reach the host to read the key-persons list")
        }
        var request = CommunityListKeyPersonsRequest()
        request.date = day
        request.dueOnly = true
        request.communityID = community
        request.limit = Self.keyPersonsPerPage
        // Every one of the community's: a sweep that left some out would miss their alerts.
        var due: [CommunityKeyPerson] = []
        repeat {
            let listed = try await host.call(CommunityMethods.listKeyPersons, request, options: CallOptions(timeout: .seconds(5)))
            due += listed.keyPersons.filter(\.due)
            request.after = listed.nextAfter
        } while !request.after.isEmpty
        return due
    }

    /// When the visited resident was first seen tagged recently discharged (remembered from
    /// `at` if this is the first time); `nil`, and forgotten, when the tag is gone. The record
    /// comes with the visit (`visit_records`).
    static func dischargeSeen(for request: ModuleAssessRequest, at: Date, store: any ModuleStore) async throws -> Date? {
        let resident = request.resident
        let stored = try await request.visitRecord(DailyKnockDischargeSeen.self, in: Self.discharged, from: store)
        guard resident.tags.contains(.recentlyDischarged) else {
            if stored != nil { _ = try await store.delete(collection: Self.discharged, key: resident.id) }
            return nil
        }
        if let stored { return stored.firstSeen.date }
        var seen = DailyKnockDischargeSeen()
        seen.residentID = resident.id
        seen.firstSeen = Google_Protobuf_Timestamp(date: at)
        do {
            try await store.put(seen, collection: Self.discharged, key: resident.id, expectedVersion: 0)
        } catch let error as RPCError where error.code == .failedPrecondition {
            return try await store.get(DailyKnockDischargeSeen.self, collection: Self.discharged, key: resident.id)?.firstSeen.date ?? at
        }
        return at
    }
}
