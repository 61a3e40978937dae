public import Foundation

/// Days (`YYYY-MM-DD`) and times of day (`HH:MM`) in the deployment's time zone, as methods read
/// and write them: what day a visit, an order or a tick falls on, when a day ends, whether a
/// request names a real day.
public struct ModuleCalendar: Sendable {
    /// The deployment's time zone.
    public let timeZone: TimeZone

    /// Knock's default deployment time zone, Asia/Shanghai (Wuhan).
    public static let knockDefault = ModuleCalendar(timeZone: TimeZone(identifier: "Asia/Shanghai")!)

    /// A calendar in `timeZone`.
    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    private var gregorian: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The day `date` falls on, `YYYY-MM-DD`.
    public func day(of date: Date) -> String {
        let parts = gregorian.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// Minutes after midnight of `date`.
    public func minutes(of date: Date) -> Int {
        let parts = gregorian.dateComponents([.hour, .minute], from: date)
        return (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
    }

    /// The time of day of `date`, `HH:MM`.
    public func time(of date: Date) -> String {
        Self.text(minutes: minutes(of: date))
    }

    /// The first instant of the day `day` (`YYYY-MM-DD`).
    /// - Parameters:
    ///   - day: The day.
    ///   - field: The request field it came from, for the error.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` naming `field` unless `day` is a real day written
    ///   `YYYY-MM-DD`.
    public func start(of day: String, field: String = "date") throws -> Date {
        let parts = day.split(separator: "-", omittingEmptySubsequences: false)
        guard day.utf8.count == 10, parts.count == 3, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let dayOfMonth = Int(parts[2]),
              let start = gregorian.date(from: DateComponents(year: year, month: month, day: dayOfMonth)),
              self.day(of: start) == day
        else {
            throw RPCError(code: .invalidArgument, message: "\(field) must be a day, YYYY-MM-DD, not \"\(day)\"")
        }
        return start
    }

    /// The end of the day `day`: the first instant of the next.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` as ``start(of:field:)``.
    public func end(of day: String, field: String = "date") throws -> Date {
        let start = try start(of: day, field: field)
        guard let end = gregorian.date(byAdding: .day, value: 1, to: start) else {
            throw RPCError(code: .invalidArgument, message: "\(field) \(day) has no next day")
        }
        return end
    }

    /// Checks that `day` is a real day written `YYYY-MM-DD` (so days compare as text).
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` naming `field`.
    public func check(_ day: String, field: String = "date") throws {
        _ = try start(of: day, field: field)
    }

    /// Minutes after midnight of a time of day written `HH:MM`, or `nil` if it is not one.
    public static func minutes(parsing text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard text.utf8.count == 5, parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), hour < 24, minute < 60
        else { return nil }
        return hour * 60 + minute
    }

    /// `HH:MM` for minutes after midnight.
    public static func text(minutes: Int) -> String {
        String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }
}
