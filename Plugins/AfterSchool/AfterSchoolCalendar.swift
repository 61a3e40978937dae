import Foundation
import KnockModuleKit

/// Days and times of day in the deployment's time zone (Asia/Shanghai).
enum AfterSchoolCalendar {
    static let timeZone = TimeZone(identifier: "Asia/Shanghai")!

    static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The day containing `date`, YYYY-MM-DD.
    static func day(of date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// Minutes after midnight of `date`.
    static func minutes(of date: Date) -> Int {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return parts.hour! * 60 + parts.minute!
    }

    /// HH:MM of `date`.
    static func time(of date: Date) -> String {
        let minutes = minutes(of: date)
        return String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }

    /// Minutes after midnight of `text` (HH:MM), or `nil` if it is not a time of day.
    static func minutes(parsing text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard text.utf8.count == 5, parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), hour < 24, minute < 60
        else { return nil }
        return hour * 60 + minute
    }

    /// Checks `text` is a real day, YYYY-MM-DD.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` naming `field`.
    static func check(_ text: String, field: String) throws {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              Self.day(of: date) == text
        else {
            throw RPCError(code: .invalidArgument, message: "\(field) must be a day, YYYY-MM-DD, not \"\(text)\"")
        }
    }
}
