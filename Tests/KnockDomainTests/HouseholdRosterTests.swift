import Foundation
import Testing
@testable import KnockDomain

@Suite struct HouseholdRosterTests {
    static let grids = [
        "qinghe-g01": Scope.Place(streetID: "gongrencun", communityID: "qinghe", gridID: "qinghe-g01"),
        "qingyi-g02": Scope.Place(streetID: "gongrencun", communityID: "qingyi", gridID: "qingyi-g02"),
    ]
    static let header = HouseholdRoster.columns.joined(separator: ",")

    static func roster(_ rows: [String], header: String = header) throws(RosterError) -> HouseholdRoster {
        try HouseholdRoster(csv: Data(([header] + rows).joined(separator: "\r\n").utf8), grids: grids, currentYear: 2026)
    }

    static func problems(_ rows: [String]) -> [RosterError.Problem] {
        let error = #expect(throws: RosterError.self) { try roster(rows) }
        #expect(error?.code == .invalidRows)
        return error?.problems ?? []
    }

    @Test func readsHouseholdsAndResidents() throws {
        let roster = try Self.roster([
            "h-1,青和居 3栋2单元401,qinghe-g01,r-1,王秀英,1938,独居、高龄;elderly,13907100001,李强,13907100002,儿子,daily 09:00-11:30",
            "h-2,\"青宜居 1栋1单元101\",qingyi-g02,r-2,张伟,1985,unemployed,,,,,weekday 18:30-21:00; weekend 09:00-12:00",
            "h-2,青宜居 1栋1单元101,qingyi-g02,r-3,张小明,2016,儿童,,,,,",
            ",,,,,,,,,,,",
            "h-3,青和居 5栋1单元202, qinghe-g01 ,r-4,'=李四,,,'+86 139,,,,",
        ])
        #expect(roster.households.map(\.id) == ["h-1", "h-2", "h-3"])
        #expect(roster.residents.map(\.id) == ["r-1", "r-2", "r-3", "r-4"])
        let wang = roster.residents[0]
        #expect(wang.name == "王秀英")
        #expect(wang.tags == [.livingAlone, .advancedAge, .elderly])
        #expect(wang.emergencyContact == Contact(name: "李强", phone: "13907100002", relation: "儿子"))
        #expect((wang.gridID, wang.communityID, wang.streetID) == ("qinghe-g01", "qinghe", "gongrencun"))
        #expect(roster.households[1].availability == [
            AvailabilityWindow(weekdays: Set(1...5), startMinute: 1_110, endMinute: 1_260),
            AvailabilityWindow(weekdays: [6, 7], startMinute: 540, endMinute: 720),
        ])
        #expect(roster.households[1].communityID == "qingyi")
        #expect(roster.residents[2].emergencyContact == nil)
        #expect(roster.residents[3].name == "=李四")
        #expect(roster.residents[3].birthYear == 0)
        #expect(roster.residents[3].phone == "+86 139")
        #expect(roster.households[2].gridID == "qinghe-g01")
    }

    @Test func columnsInAnyOrderAndExtraColumnsIgnored() throws {
        let header = (["备注"] + HouseholdRoster.columns.reversed()).joined(separator: ",")
        let roster = try Self.roster([",,,,,,,1950,王芳,r-1,qinghe-g01,青和居 1栋,h-1"], header: header)
        #expect(roster.residents.map(\.name) == ["王芳"])
        #expect(roster.residents[0].birthYear == 1950)
    }

    @Test func everyBadRowIsListed() {
        let problems = Self.problems([
            "h-1,青和居 1栋,qinghe-g09,r-1,王芳,1950,,,,,,",
            "h-2,青和居 2栋,qinghe-g01,r-2,,19x0,老人家,,,,,",
            "h-3,青和居 3栋,qinghe-g01,r-3,李,1899,,,,,,",
            "h-4,青和居 4栋,qinghe-g01,r-4,赵,2027,,,,,,",
            "h-5,青和居 5栋,qinghe-g01,r-2,钱,,,,,,,",
            "h-6,青和居 6栋,qinghe-g01,r-6,孙,,,,李强,,,",
            "h-7,青和居 7栋,qinghe-g01,r-7,周,,,,,,邻居,",
            "h-8,青和居 8栋,qinghe-g01,r-8,吴,,,,,,,someday 10:00-11:00",
            "h-9,青和居 9栋,qinghe-g01,r-9,郑",
            ",,,r-10,冯,,,,,,,",
        ])
        let found = problems.map { "\($0.line) \($0.column ?? "-")" }
        #expect(found == [
            "2 grid_id", "3 name", "3 birth_year", "3 tags", "4 birth_year", "5 birth_year", "6 resident_id",
            "7 emergency_contact_phone", "8 emergency_contact_name", "9 availability", "10 -",
            "11 household_id", "11 address", "11 grid_id",
        ])
        #expect(problems[0].reason == "unknown grid \"qinghe-g09\"")
        #expect(problems[2].reason == "\"19x0\" is not a year")
        #expect(problems[4].reason == "1899 is not between 1900 and 2026")
        #expect(problems[6].reason == "resident id r-2 is already on line 3")
        #expect(problems[10].reason == "has 5 cells; the header has 12")
    }

    @Test func aHouseholdKeepsOneAddressGridAndAvailability() {
        let problems = Self.problems([
            "h-1,青和居 1栋,qinghe-g01,r-1,王芳,,,,,,,weekday 18:00-21:00",
            "h-1,青和居 2栋,qinghe-g01,r-2,王强,,,,,,,",
            "h-1,青和居 1栋,qingyi-g02,r-3,王明,,,,,,,weekday 18:00-21:00",
            "h-1,青和居 1栋,qinghe-g01,r-4,王红,,,,,,,weekend 09:00-12:00",
        ])
        #expect(problems == [
            .init(line: 3, column: "address", reason: "household h-1 is at \"青和居 1栋\" on line 2"),
            .init(line: 4, column: "grid_id", reason: "household h-1 is in grid qinghe-g01 on line 2"),
            .init(line: 5, column: "availability", reason: "household h-1 is in at other times on line 2"),
        ])
    }

    @Test func availabilityFromALaterRowOfTheHousehold() throws {
        let roster = try Self.roster([
            "h-1,青和居 1栋,qinghe-g01,r-1,王芳,,,,,,,",
            "h-1,青和居 1栋,qinghe-g01,r-2,王强,,,,,,,weekend 09:00-12:00",
        ])
        #expect(roster.households.count == 1)
        #expect(roster.households[0].availability.count == 1)
    }

    @Test func linesCountPhysicalLinesAcrossQuotedLineBreaks() {
        let problems = Self.problems([
            "h-1,\"青和居\n1栋\",qinghe-g01,r-1,王芳,,,,,,,",
            "h-2,青和居 2栋,qinghe-g01,r-2,,,,,,,,",
        ])
        #expect(problems.map(\.line) == [4])
    }

    @Test func aHeaderMustNameEveryColumnOnce() {
        let header = HouseholdRoster.columns.filter { $0 != "phone" && $0 != "tags" }.joined(separator: ",") + ",name"
        let error = #expect(throws: RosterError.self) { try Self.roster([], header: header) }
        #expect(error?.code == .invalidHeader)
        #expect(error?.problems.map(\.column) == ["name", "tags", "phone"])
    }

    @Test func anEmptyFileHasNoHeader() {
        let error = #expect(throws: RosterError.self) {
            try HouseholdRoster(csv: Data(), grids: Self.grids, currentYear: 2026)
        }
        #expect(error?.code == .invalidHeader)
    }

    @Test func aFileThatIsNotUTF8IsUnreadable() {
        var data = Data((Self.header + "\r\n").utf8)
        data.append(contentsOf: [0x68, 0x2C, 0xCD, 0xF5, 0x0A])
        let error = #expect(throws: RosterError.self) {
            try HouseholdRoster(csv: data, grids: Self.grids, currentYear: 2026)
        }
        #expect(error?.code == .unreadableFile)
        #expect(error?.cause?.code == .invalidUTF8)
        #expect(error?.problems.map(\.line) == [2])
    }

    @Test func progressIsReportedToTheEnd() throws {
        let rows = (0..<2_500).map { "h-\($0),青和居 \($0)号,qinghe-g01,r-\($0),居民\($0),1990,,,,,," }
        var reports: [[Int]] = []
        let data = Data(([Self.header] + rows).joined(separator: "\n").utf8)
        let roster = try HouseholdRoster(csv: data, grids: Self.grids, currentYear: 2026) { reports.append([$0, $1]) }
        #expect(reports == [[0, 2_500], [1_000, 2_500], [2_000, 2_500], [2_500, 2_500]])
        #expect(roster.residents.count == 2_500)
    }

    @Test func whatIsWrittenReadsBack() throws {
        let roster = try Self.roster([
            "h-1,青和居 3栋2单元401,qinghe-g01,r-1,王秀英,1938,独居;高龄;老年人;残疾,13907100001,\"李,强\",13907100002,儿子,daily 09:00-11:30",
            "h-2,青宜居 1栋1单元101,qingyi-g02,r-2,张伟,1985,unemployed,-,,,,\"1,3,5 19:00-21:00\"",
        ])
        #expect(roster.residents[1].phone == "-")
        #expect(roster.households[1].availability == [AvailabilityWindow(weekdays: [1, 3, 5], startMinute: 1_140, endMinute: 1_260)])
        let written = roster.csv()
        #expect(Array(written.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(try HouseholdRoster(csv: written, grids: Self.grids, currentYear: 2026) == roster)
        #expect(String(decoding: written, as: UTF8.self).contains("独居、高龄、老年人、残疾") == false)
        #expect(String(decoding: written, as: UTF8.self).contains("老年人、独居、高龄、残疾"))
    }
}
