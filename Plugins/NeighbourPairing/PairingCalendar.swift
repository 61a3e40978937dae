import Foundation
import KnockModuleKit

/// Days in the deployment's time zone (Asia/Shanghai).
enum PairingCalendar {
    static let timeZone = TimeZone(identifier: "Asia/Shanghai")!

    /// The end of the day `date` (YYYY-MM-DD): the start of the next one.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` for a malformed date.
    static func end(of date: String) throws -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = date.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard date.utf8.count == 10, parts.count == 3, let year = parts[0], let month = parts[1], let day = parts[2],
              let start = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              calendar.component(.day, from: start) == day,
              let end = calendar.date(byAdding: .day, value: 1, to: start)
        else {
            throw RPCError(code: .invalidArgument, message: "date must be a day, YYYY-MM-DD, not \"\(date)\"")
        }
        return end
    }
}
