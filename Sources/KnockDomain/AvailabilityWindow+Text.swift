extension AvailabilityWindow {
    /// Reads one window as a roster writes it: days, a space, then a span of local time.
    ///
    /// ```
    /// weekday 18:00-21:00        Monday to Friday
    /// weekend 09:00-12:00        Saturday and Sunday
    /// daily 15:00-17:30          every day (also: every day)
    /// 1,3,5 19:00-21:00          ISO weekdays, 1 = Monday … 7 = Sunday
    /// 1-5 07:00-08:00            a range of weekdays
    /// sat,sun 10:00-11:00        mon tue wed thu fri sat sun
    /// 工作日 18:00-21:00          工作日, 周末, 每天 for weekday, weekend, daily
    /// ```
    /// Times are `H:MM` or `HH:MM` from 00:00 to 24:00, the end after the start; full-width `：`
    /// and `，` and the range marks `~`, `～` are read too.
    /// - Parameter text: One window.
    /// - Throws: ``DomainError`` `invalidArgument` naming what could not be read.
    public init(parsing text: String) throws(DomainError) {
        var normalised = text.replacing("~", with: "-")
        if normalised.utf8.contains(where: { $0 >= 0x80 }) {
            normalised = normalised.replacing("：", with: ":").replacing("，", with: ",").replacing("～", with: "-")
        }
        let tokens = normalised.split(whereSeparator: \.isWhitespace)
        guard tokens.count >= 2 else {
            throw DomainError(.invalidArgument, "\"\(text)\" is not days and a time span, like \"weekday 18:00-21:00\"")
        }
        let span = tokens.last!.split(separator: "-", omittingEmptySubsequences: false)
        guard span.count == 2, let start = Self.minute(span[0]), let end = Self.minute(span[1]) else {
            throw DomainError(.invalidArgument, "\"\(tokens.last!)\" is not a time span like 18:00-21:00")
        }
        guard start < end else {
            throw DomainError(.invalidArgument, "\"\(tokens.last!)\" ends before it starts")
        }
        let days = tokens.dropLast().joined().lowercased()
        guard let weekdays = Self.weekdays(days) else {
            throw DomainError(
                .invalidArgument,
                "\"\(days)\" are not days: daily, weekday, weekend, 每天, 工作日, 周末, or weekdays like 1,3,5 or 1-5 or mon,wed"
            )
        }
        self.init(weekdays: weekdays, startMinute: start, endMinute: end)
    }

    /// The window as ``init(parsing:)`` reads it: `weekday 18:00-21:00`, `1,3,5 19:00-21:00`.
    public var text: String {
        let days: String = switch weekdays {
        case Set(1...7): "daily"
        case Set(1...5): "weekday"
        case [6, 7]: "weekend"
        default: weekdays.sorted().map(String.init).joined(separator: ",")
        }
        return "\(days) \(Self.clock(startMinute))-\(Self.clock(endMinute))"
    }

    /// Reads windows separated by `;` or `；`; an empty text is no windows.
    /// - Parameter text: The windows, e.g. `weekday 18:00-21:00; weekend 09:00-12:00`.
    /// - Throws: ``DomainError`` `invalidArgument` for the first window that cannot be read.
    public static func list(parsing text: String) throws(DomainError) -> [AvailabilityWindow] {
        var windows: [AvailabilityWindow] = []
        for piece in text.split(whereSeparator: { $0 == ";" || $0 == "；" }) {
            let trimmed = String(piece).trimmed
            if !trimmed.isEmpty { windows.append(try AvailabilityWindow(parsing: trimmed)) }
        }
        return windows
    }

    /// `windows` as ``list(parsing:)`` reads them, separated by `; `.
    public static func text(of windows: [AvailabilityWindow]) -> String {
        windows.map(\.text).joined(separator: "; ")
    }

    private static let dayNames = ["mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7]

    private static func weekdays(_ text: String) -> Set<Int>? {
        switch text {
        case "daily", "everyday", "每天": return Set(1...7)
        case "weekday", "weekdays", "工作日": return Set(1...5)
        case "weekend", "weekends", "周末": return [6, 7]
        default: break
        }
        var days: Set<Int> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = item.split(separator: "-", omittingEmptySubsequences: false).map { day(String($0)) }
            switch ends.count {
            case 1:
                guard let day = ends[0] else { return nil }
                days.insert(day)
            case 2:
                guard let first = ends[0], let last = ends[1], first <= last else { return nil }
                days.formUnion(first...last)
            default:
                return nil
            }
        }
        return days
    }

    private static func day(_ text: String) -> Int? {
        if let number = Int(text), (1...7).contains(number) { return number }
        return dayNames[text]
    }

    private static func minute(_ text: Substring) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0...59).contains(minute),
              (0...23).contains(hour) || (hour == 24 && minute == 0)
        else { return nil }
        return hour * 60 + minute
    }

    private static func clock(_ minutes: Int) -> String {
        let hour = minutes / 60, minute = minutes % 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}
