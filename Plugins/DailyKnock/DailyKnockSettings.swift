import Foundation
import KnockModuleKit

/// The configuration of 每天敲 (`modules.daily-knock.config` in the host's file), parsed
/// strictly: an unknown key or a bad value is an error naming the key.
///
/// | key | meaning | default |
/// |---|---|---|
/// | `rule.<tag>` | residents with the tag are key persons, knocked every N days (1–365), in every community | none |
/// | `rule.<tag>.<community>` | the same for one community, over `rule.<tag>`; `off` drops the rule there | none |
/// | `discharge_days` | how many days the recently-discharged rule keeps a resident daily (1–90) | `14` |
/// | `day_ends` | HH:MM: from then a daily key person not reached today raises an alert | `20:00` |
///
/// Days, times of day and ages are the deployment's time zone's (``ModuleContext/timeZone``,
/// the host's `time_zone`): the module has no time zone of its own, and a `time_zone` key here
/// is refused as unknown like any other.
///
/// Tags: elderly, living-alone, empty-nest, advanced-age, disabled, unemployed,
/// recently-discharged, child, young-adult.
struct DailyKnockSettings: Sendable, ModuleConfigurationSettings {
    /// Cadences by tag for every community.
    var everywhere: [CommunityResidentTag: UInt32] = [:]
    /// Cadences by community and tag; `nil` for a rule switched off there.
    var perCommunity: [String: [CommunityResidentTag: UInt32?]] = [:]
    /// Days the discharge rule lasts.
    var dischargeDays: UInt32 = 14
    /// The end of the day, HH:MM.
    var dayEnds = "20:00"

    /// Parses the configuration.
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` naming the key at fault.
    init(_ configuration: [String: String]) throws {
        func bad(_ key: String, _ detail: String) -> RPCError {
            RPCError(code: .failedPrecondition, message: "daily-knock configuration: \(key): \(detail)")
        }
        for (key, raw) in configuration.sorted(by: { $0.key < $1.key }) {
            let value = raw.trimmingCharacters(in: .whitespaces)
            switch key {
            case "discharge_days":
                guard let days = UInt32(value), (1...90).contains(days) else { throw bad(key, "'\(raw)' is not a whole number of days from 1 to 90") }
                dischargeDays = days
            case "day_ends":
                guard ModuleCalendar.minutes(parsing: value) != nil else { throw bad(key, "'\(raw)' is not a time HH:MM") }
                dayEnds = value
            case _ where key.hasPrefix("rule."):
                let parts = key.dropFirst("rule.".count).split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard let tag = CommunityResidentTag(configurationName: parts[0]) else {
                    throw bad(key, "unknown resident tag '\(parts[0])' (tags: \(CommunityResidentTag.named.map { $0.name }.joined(separator: ", ")))")
                }
                if parts.count == 2 {
                    guard !parts[1].isEmpty else { throw bad(key, "name the community: rule.<tag>.<community>") }
                    if value == "off" {
                        perCommunity[parts[1], default: [:]][tag] = .some(nil)
                        continue
                    }
                    guard let days = UInt32(value), (1...365).contains(days) else { throw bad(key, "'\(raw)' is not a cadence in days from 1 to 365, or off") }
                    perCommunity[parts[1], default: [:]][tag] = days
                } else {
                    guard let days = UInt32(value), (1...365).contains(days) else { throw bad(key, "'\(raw)' is not a cadence in days from 1 to 365") }
                    everywhere[tag] = days
                }
            default:
                throw bad(key, "unknown key (keys: rule.<tag>, rule.<tag>.<community>, discharge_days, day_ends)")
            }
        }
    }

    /// The configured cadences of `community`, by tag.
    func cadences(in community: String) -> [CommunityResidentTag: UInt32] {
        var cadences = everywhere
        for (tag, days) in perCommunity[community] ?? [:] {
            cadences[tag] = days
        }
        return cadences
    }
}
