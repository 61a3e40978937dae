import Foundation
import KnockModuleKit
import SwiftProtobuf

/// The rules of 每天敲 for one community: which residents are key persons and at what cadence.
///
/// - `alone-80`: living alone and 80 or over (tagged advanced age, or born 80 or more years
///   before the day judged) → daily.
/// - `discharged`: recently discharged → daily for `discharge_days` (14) from the day the tag
///   was first seen, then no more even if the tag stays.
/// - `disabled-alone`: disabled and living alone → daily.
/// - `tag:<tag>`: each tag configured for the community (`rule.empty-nest=7`) → that cadence.
///
/// Each rule flags with its own reason, which starts with ``reasonPrefix`` so the module knows
/// its own reasons on the list (and removes them when the rule no longer applies).
struct KeyPersonRules: Sendable {
    /// The rules in force, built-ins first, then configured ones by tag name.
    let rules: [DailyKnockRule]
    let settings: DailyKnockSettings
    /// The deployment's days, in which ages and the days of a finding are taken.
    let calendar: ModuleCalendar

    /// The start of every reason this module flags with.
    static let reasonPrefix = "每天敲: "

    /// The age from which living alone makes a resident a daily key person.
    static let advancedAge = 80

    /// The rules of `community` under `settings`.
    /// - Parameters:
    ///   - community: The community.
    ///   - settings: The module's configuration.
    ///   - calendar: The deployment's calendar (``ModuleContext/calendar``).
    init(community: String, settings: DailyKnockSettings, calendar: ModuleCalendar) {
        self.settings = settings
        self.calendar = calendar
        func rule(_ id: String, _ reason: String, cadence: UInt32, forDays: UInt32 = 0, _ description: String) -> DailyKnockRule {
            var rule = DailyKnockRule()
            rule.id = id
            rule.reason = Self.reasonPrefix + reason
            rule.cadenceDays = cadence
            rule.forDays = forDays
            rule.description_p = description
            return rule
        }
        var rules = [
            rule("alone-80", "独居高龄 living alone, \(Self.advancedAge) or over", cadence: 1, "living alone and \(Self.advancedAge) or over: daily"),
            rule("discharged", "近期出院 recently discharged", cadence: 1, forDays: settings.dischargeDays,
                 "recently discharged: daily for \(settings.dischargeDays) days from the day the tag is first seen"),
            rule("disabled-alone", "独居残疾 disabled, living alone", cadence: 1, "disabled and living alone: daily"),
        ]
        for (tag, days) in settings.cadences(in: community).sorted(by: { $0.key.configurationName < $1.key.configurationName }) {
            rules.append(rule("tag:\(tag.configurationName)", "\(tag.chineseName) \(tag.configurationName), every \(days) days", cadence: days,
                              "tagged \(tag.configurationName): every \(days) days (configured)"))
        }
        self.rules = rules
    }

    /// Judges every rule for `resident` on `date`.
    /// - Parameters:
    ///   - resident: The resident.
    ///   - date: The time judged (the visit's, or now).
    ///   - dischargeSeen: When the resident was first seen tagged recently discharged, if so.
    /// - Returns: One finding per rule, in rule order.
    func evaluate(_ resident: CommunityResident, at date: Date, dischargeSeen: Date?) -> [DailyKnockFinding] {
        let tags = Set(resident.tags)
        let alone = tags.contains(.livingAlone)
        let age = resident.birthYear > 0 ? calendar.year(of: date) - Int(resident.birthYear) : nil
        return rules.map { rule in
            var finding = DailyKnockFinding()
            finding.rule = rule
            switch rule.id {
            case "alone-80":
                let old = tags.contains(.advancedAge) || (age ?? 0) >= Self.advancedAge
                finding.applies = alone && old
                let ageText = age.map { "aged \($0)" } ?? "age unknown"
                finding.why = !alone ? "not tagged living alone"
                    : old ? "living alone, \(tags.contains(.advancedAge) ? "tagged advanced age" : ageText)"
                    : "living alone but \(ageText), under \(Self.advancedAge)"
            case "discharged":
                guard tags.contains(.recentlyDischarged) else {
                    finding.why = "not tagged recently discharged"
                    break
                }
                let since = dischargeSeen ?? date
                let until = since.addingTimeInterval(TimeInterval(rule.forDays) * 86_400)
                finding.until = Google_Protobuf_Timestamp(date: until)
                finding.applies = date < until
                let seen = dischargeSeen == nil ? "not seen on a visit before" : "first seen \(calendar.day(of: since))"
                finding.why = finding.applies
                    ? "recently discharged, \(seen): daily until \(calendar.day(of: until))"
                    : "recently discharged, \(seen): the \(rule.forDays) days ended \(calendar.day(of: until))"
            case "disabled-alone":
                finding.applies = alone && tags.contains(.disabled)
                finding.why = finding.applies ? "disabled and living alone"
                    : !tags.contains(.disabled) ? "not tagged disabled" : "disabled but not living alone"
            default:
                let name = String(rule.id.dropFirst("tag:".count))
                let tag = CommunityResidentTag(configurationName: name)
                finding.applies = tag.map(tags.contains) ?? false
                finding.why = finding.applies ? "tagged \(name)" : "not tagged \(name)"
            }
            return finding
        }
    }

    /// The smallest cadence among the findings that apply; 0 if none applies.
    static func cadence(of findings: [DailyKnockFinding]) -> UInt32 {
        findings.filter(\.applies).map(\.rule.cadenceDays).min() ?? 0
    }

    /// What the list should change for `resident`: a flag for each applying rule whose reason
    /// is not on the resident's entry, an unflag for each of this module's reasons on the entry
    /// whose rule no longer applies (or no longer exists).
    func suggestions(for resident: CommunityResident, findings: [DailyKnockFinding]) -> [ModuleSuggestion] {
        let listed = Set(resident.keyPersonReasons)
        let applying = findings.filter(\.applies)
        var suggestions: [ModuleSuggestion] = []
        for finding in applying where !listed.contains(finding.rule.reason) {
            var flag = ModuleFlagKeyPerson()
            flag.residentID = resident.id
            flag.reason = finding.rule.reason
            flag.cadenceDays = finding.rule.cadenceDays
            if finding.hasUntil { flag.until = finding.until }
            var suggestion = ModuleSuggestion()
            suggestion.flagKeyPerson = flag
            suggestion.reason = "每天敲 rule \(finding.rule.id): \(finding.why)"
            suggestions.append(suggestion)
        }
        let kept = Set(applying.map(\.rule.reason))
        for reason in resident.keyPersonReasons.sorted() where reason.hasPrefix(Self.reasonPrefix) && !kept.contains(reason) {
            var unflag = ModuleUnflagKeyPerson()
            unflag.residentID = resident.id
            unflag.reason = reason
            var suggestion = ModuleSuggestion()
            suggestion.unflagKeyPerson = unflag
            let rule = findings.first { $0.rule.reason == reason }
            suggestion.reason = "每天敲: " + (rule.map { "rule \($0.rule.id) no longer applies: \($0.why)" } ?? "no rule gives this reason any more")
            suggestions.append(suggestion)
        }
        return suggestions
    }
}
