import Foundation
import KnockModuleKit

/// Days in the deployment's time zone (Asia/Shanghai), as YYYY-MM-DD.
enum CanteenCalendar {
    static let timeZone = TimeZone(identifier: "Asia/Shanghai")!

    /// The day containing `date`.
    static func day(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// Checks `text` is a real day, YYYY-MM-DD (so days compare as text).
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` naming `field`.
    static func check(_ text: String, field: String = "date") throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
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
