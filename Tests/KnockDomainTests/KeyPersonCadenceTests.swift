import Foundation
import Testing
@testable import KnockDomain

@Suite struct KeyPersonCadenceTests {
    static let wuhan = TimeZone(identifier: "Asia/Shanghai")!
    static let day = CalendarDay(year: 2026, month: 11, day: 30)
    static let since = Date(timeIntervalSince1970: 1_700_000_000)

    static func person(cadence: Int, lastKnock: Date?, reasons: [String] = ["独居高龄"], member: String? = nil) -> KeyPerson {
        KeyPerson(
            residentID: "r-1", householdID: "h-1", gridID: "qinghe-g01", communityID: "qinghe", streetID: "gongrencun",
            reasons: reasons.map { KeyPersonReason(reason: $0, flaggedBy: .host, since: since) },
            cadenceDays: cadence, assignedMemberID: member, lastKnockAt: lastKnock
        )
    }

    /// 20:00 local time, `daysBefore` days before ``day``.
    static func evening(_ daysBefore: Int) -> Date {
        day.adding(days: -daysBefore).start(in: wuhan).addingTimeInterval(20 * 3_600)
    }

    @Test func neverKnockedIsDue() {
        #expect(Self.person(cadence: 7, lastKnock: nil).isDue(on: Self.day, timeZone: Self.wuhan))
    }

    @Test(arguments: [(1, 0, false), (1, 1, true), (7, 6, false), (7, 7, true), (7, 30, true), (0, 1, true), (0, 0, false)])
    func dueOnceTheCadenceHasPassed(_ cadence: Int, _ daysSince: Int, _ due: Bool) {
        #expect(Self.person(cadence: cadence, lastKnock: Self.evening(daysSince)).isDue(on: Self.day, timeZone: Self.wuhan) == due)
    }

    @Test func theLastKnocksDayIsTakenInTheDeploymentsTimeZone() {
        // 01:00 on the 30th in Wuhan is still the 29th in UTC.
        let lastKnock = Self.day.start(in: Self.wuhan).addingTimeInterval(3_600)
        let person = Self.person(cadence: 1, lastKnock: lastKnock)
        #expect(!person.isDue(on: Self.day, timeZone: Self.wuhan))
        #expect(person.isDue(on: Self.day, timeZone: TimeZone(identifier: "UTC")!))
    }

    @Test(arguments: [(1, 80), (2, 60), (7, 60), (8, 40), (30, 40)])
    func priorityFollowsTheCadence(_ cadence: Int, _ priority: Int) {
        #expect(Self.person(cadence: cadence, lastKnock: nil).cadencePriority == priority)
    }

    @Test func plannedKnockCarriesTheReasons() throws {
        let person = Self.person(cadence: 1, lastKnock: nil, reasons: ["独居高龄", "近期出院", "独居高龄"], member: "m-7")
        let knock = try #require(person.plannedKnock(on: Self.day, timeZone: Self.wuhan))
        #expect(knock.reasons == [.init(why: "重点人员 每1天：独居高龄、近期出院", suggestedBy: .host)])
        #expect(knock.priority == 80)
        #expect(knock.channel == .door)
        #expect(knock.memberID == "m-7")
        #expect(knock.day == Self.day)
        #expect((knock.residentID, knock.householdID, knock.gridID, knock.communityID) == ("r-1", "h-1", "qinghe-g01", "qinghe"))
    }

    @Test func noPlannedKnockBeforeItIsDue() {
        #expect(Self.person(cadence: 7, lastKnock: Self.evening(2)).plannedKnock(on: Self.day, timeZone: Self.wuhan) == nil)
        #expect(Self.person(cadence: 7, lastKnock: Self.evening(7)).plannedKnock(on: Self.day, timeZone: Self.wuhan)?.reasons[0].why == "重点人员 每7天：独居高龄")
    }
}
