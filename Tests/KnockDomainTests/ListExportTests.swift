import Foundation
import Testing
@testable import KnockDomain

@Suite struct ListExportTests {
    static let wuhan = TimeZone(identifier: "Asia/Shanghai")!
    /// 2026-11-30 09:30 in Wuhan.
    static let morning = CalendarDay(year: 2026, month: 11, day: 30).start(in: wuhan).addingTimeInterval(9.5 * 3_600)

    static func rows(_ data: Data) throws -> [[String]] {
        try CSVReader().records(in: data).map(\.fields)
    }

    @Test func needsListOneRowPerNeed() throws {
        let resident = Resident(id: "r-1", householdID: "h-1", name: "王秀英", gridID: "qinghe-g01", communityID: "qinghe", streetID: "gongrencun")
        let lifecycle = NeedLifecycle()
        let late = try lifecycle.raise(
            id: "n-1", resident: resident, category: "meals", urgency: .critical, summary: "=送餐,每天中午",
            owner: .module("canteen"), by: .member("m-1"), visitID: nil, at: Self.morning
        )
        var done = try lifecycle.raise(
            id: "n-2", resident: resident, category: "repair", urgency: .low, summary: "修灯", owner: nil,
            by: .integrator("12345"), visitID: nil, at: Self.morning
        )
        done.status = .resolved
        let data = ListExport(timeZone: Self.wuhan).needs(
            [late, done], residentNames: ["r-1": "王秀英"], at: Self.morning.addingTimeInterval(3 * 3_600)
        )
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(try Self.rows(data) == [
            ListExport.needColumns,
            ["n-1", "r-1", "王秀英", "qinghe-g01", "meals", "critical", "assigned", "module:canteen", "member:m-1",
             "2026-11-30T09:30:00+08:00", "2026-11-30T11:30:00+08:00", "yes", "'=送餐,每天中午"],
            ["n-2", "r-1", "王秀英", "qinghe-g01", "repair", "low", "resolved", "", "integrator:12345",
             "2026-11-30T09:30:00+08:00", "2026-12-07T09:30:00+08:00", "no", "修灯"],
        ])
    }

    @Test func timesFollowTheTimeZone() throws {
        let need = Need(
            id: "n", residentID: "r", householdID: "h", gridID: "g", communityID: "c", streetID: "s", category: "x",
            urgency: .low, summary: "y", raisedBy: .host, raisedAt: Self.morning, dueAt: Self.morning
        )
        let rows = try Self.rows(ListExport(timeZone: TimeZone(identifier: "UTC")!, byteOrderMark: false).needs([need], at: Self.morning))
        #expect(rows[1][9] == "2026-11-30T01:30:00Z")
        #expect(rows[1][2] == "")
    }

    @Test func keyPersonsListOneRowPerPerson() throws {
        let since = Self.morning.addingTimeInterval(-30 * 86_400)
        let people = [
            KeyPerson(
                residentID: "r-1", householdID: "h-1", gridID: "qinghe-g01", communityID: "qinghe", streetID: "gongrencun",
                reasons: [
                    KeyPersonReason(reason: "独居高龄", flaggedBy: .host, since: since),
                    KeyPersonReason(reason: "近期出院", flaggedBy: .module("opportunity"), since: since),
                ],
                cadenceDays: 1, assignedMemberID: "m-7", lastKnockAt: Self.morning.addingTimeInterval(-86_400)
            ),
            KeyPerson(
                residentID: "r-2", householdID: "h-2", gridID: "qingyi-g02", communityID: "qingyi", streetID: "gongrencun",
                reasons: [KeyPersonReason(reason: "残疾", flaggedBy: .member("m-2"), since: since)],
                cadenceDays: 7, lastKnockAt: Self.morning.addingTimeInterval(-3 * 86_400)
            ),
        ]
        let data = ListExport(timeZone: Self.wuhan).keyPersons(people, residentNames: ["r-1": "王秀英"], on: CalendarDay(year: 2026, month: 11, day: 30))
        #expect(try Self.rows(data) == [
            ListExport.keyPersonColumns,
            ["r-1", "王秀英", "qinghe-g01", "独居高龄 (host); 近期出院 (module:opportunity)", "1", "m-7", "2026-11-29T09:30:00+08:00", "yes"],
            ["r-2", "", "qingyi-g02", "残疾 (member:m-2)", "7", "", "2026-11-27T09:30:00+08:00", "no"],
        ])
    }
}
