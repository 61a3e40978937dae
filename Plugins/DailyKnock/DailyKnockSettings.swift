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
/// | `time_zone` | the deployment's time zone (ages and days) | `Asia/Shanghai` |
///
/// Tags: elderly, living-alone, empty-nest, advanced-age, disabled, unemployed,
/// recently-discharged, child, young-adult.
struct DailyKnockSettings: Sendable {
    /// Cadences by tag for every community.
    var everywhere: [CommunityResidentTag: UInt32] = [:]
    /// Cadences by community and tag; `nil` for a rule switched off there.
    var perCommunity: [String: [CommunityResidentTag: UInt32?]] = [:]
    /// Days the discharge rule lasts.
    var dischargeDays: UInt32 = 14
    /// The end of the day, HH:MM.
    var dayEnds = "20:00"
    /// The deployment's time zone.
    var timeZone = TimeZone(identifier: "Asia/Shanghai")!

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
                guard Self.isClockTime(value) else { throw bad(key, "'\(raw)' is not a time HH:MM") }
                dayEnds = value
            case "time_zone":
                guard let zone = TimeZone(identifier: value) else { throw bad(key, "unknown time zone '\(raw)'") }
                timeZone = zone
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
                throw bad(key, "unknown key (keys: rule.<tag>, rule.<tag>.<community>, discharge_days, day_ends, time_zone)")
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

    /// The day (YYYY-MM-DD) of `date` in the deployment's time zone.
    func day(of date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The year of `date` in the deployment's time zone.
    func year(of date: Date) -> Int {
        calendar.component(.year, from: date)
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// Whether `text` is HH:MM, 00:00 to 23:59.
    static func isClockTime(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let hour = Int(parts[0]), let minute = Int(parts[1]) else { return false }
        return (0...23).contains(hour) && (0...59).contains(minute)
    }
}
