import Foundation
import Testing
@testable import KnockDomain

@Suite struct CalendarDayTests {
    @Test func parsesAndPrints() throws {
        let day = try CalendarDay(parsing: "2026-11-29")
        #expect(day.description == "2026-11-29")
        #expect(day.weekday == 7)
        #expect(day.adding(days: 3).description == "2026-12-02")
        #expect(day.days(until: try CalendarDay(parsing: "2027-01-01")) == 33)
    }

    @Test(arguments: ["2026-02-29", "2026-13-01", "26-11-29", "2026-1-29", "", "2026-11-29x"])
    func rejectsWhatIsNotADay(_ text: String) {
        #expect(throws: DomainError.self) { try CalendarDay(parsing: text) }
    }

    @Test func dayOfAnInstantFollowsTheTimeZone() {
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        // 2026-11-29 17:00 UTC is already the 30th in Wuhan.
        let instant = Date(timeIntervalSince1970: 1_795_971_600)
        #expect(CalendarDay(containing: instant, in: shanghai).description == "2026-11-30")
        #expect(CalendarDay(containing: instant, in: TimeZone(identifier: "UTC")!).description == "2026-11-29")
    }
}
