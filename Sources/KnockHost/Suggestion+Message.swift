import Foundation
import KnockDomain
import KnockModuleKit
import SwiftProtobuf

extension Suggestion {
    /// A module's suggestion in the community core's terms, attributed to `module`.
    /// - Parameters:
    ///   - message: What the module sent.
    ///   - module: The module's id (from its identity, whatever the message says).
    ///   - place: The household, grid and community of a resident, for scheduled knocks.
    ///   - defaultDay: The day a scheduled knock without a date is for.
    /// - Throws: A description of what is wrong with the suggestion, so it is reported as
    ///   rejected rather than applied.
    init(message: ModuleSuggestion, module: String, place: (String) -> Resident?, defaultDay: CalendarDay) throws {
        let by = Provenance.module(module)
        switch message.kind {
        case .raiseNeed(let need):
            self.init(kind: .raiseNeed(
                residentID: need.residentID, category: need.category,
                urgency: try Urgency(message: need.urgency, field: "raise_need.urgency"), summary: need.summary,
                ownerModule: need.ownerModule.isEmpty ? nil : need.ownerModule
            ), suggestedBy: by, reason: message.reason)
        case .flagKeyPerson(let flag):
            guard !flag.reason.trimmed.isEmpty else {
                throw RPCError.invalidField("flag_key_person.reason", "is required")
            }
            self.init(kind: .flagKeyPerson(
                residentID: flag.residentID, reason: flag.reason, cadenceDays: max(1, Int(flag.cadenceDays == 0 ? 7 : flag.cadenceDays)),
                until: flag.hasUntil ? flag.until.date : nil
            ), suggestedBy: by, reason: message.reason)
        case .unflagKeyPerson(let unflag):
            self.init(kind: .unflagKeyPerson(residentID: unflag.residentID, reason: unflag.reason), suggestedBy: by, reason: message.reason)
        case .scheduleKnock(let knock):
            guard let resident = place(knock.residentID) else {
                throw RPCError(code: .notFound, message: "no resident \(knock.residentID)")
            }
            self.init(kind: .scheduleKnock(try PlannedKnock(message: knock, resident: resident, by: by, defaultDay: defaultDay)),
                      suggestedBy: by, reason: message.reason)
        case .raiseAlert(let alert):
            self.init(kind: .raiseAlert(
                residentID: alert.residentID, urgency: try Urgency(message: alert.urgency, field: "raise_alert.urgency"), message: alert.message,
                id: alert.id.isEmpty ? nil : alert.id
            ), suggestedBy: by, reason: message.reason)
        case .refer(let refer):
            guard !refer.toModule.isEmpty else { throw RPCError.invalidField("refer.to_module", "is required") }
            self.init(kind: .refer(residentID: refer.residentID, toModule: refer.toModule, note: refer.note), suggestedBy: by, reason: message.reason)
        case nil:
            throw RPCError.invalidField("suggestion", "has no kind")
        }
    }
}

extension PlannedKnock {
    /// A module's planned knock, placed at its resident's household.
    init(message: CommunityPlannedKnock, resident: Resident, by: Provenance, defaultDay: CalendarDay) throws {
        try self.init(message: message, home: resident.home, by: by, defaultDay: defaultDay)
    }

    /// A module's planned knock, placed at the household of `home`.
    init(message: CommunityPlannedKnock, home: ResidentHome, by: Provenance, defaultDay: CalendarDay) throws {
        let day = message.date.isEmpty ? defaultDay : try CalendarDay(parsing: message.date)
        let channel = message.channel == .unspecified ? Channel.door : try Channel(message: message.channel, field: "knock.channel")
        self.init(
            day: day, residentID: home.residentID, householdID: home.householdID, gridID: home.place.gridID,
            communityID: home.place.communityID, memberID: message.memberID.isEmpty ? nil : message.memberID,
            channel: channel, priority: Int(min(100, message.priority)),
            reasons: [Reason(why: message.why.isEmpty ? "（\(by.text)）" : message.why, suggestedBy: by)]
        )
    }
}
