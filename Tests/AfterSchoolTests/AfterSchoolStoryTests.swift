import AfterSchool
import Foundation
import KnockModuleKit
import KnockTestSupport
import Testing

/// after-school inside a real host: members call it over mutual TLS and the host's tick raises
/// the not-collected alert.
@Suite("The 4:30 after-school in the host")
struct AfterSchoolStoryTests {
    /// HH:MM on 2026-11-30 (CommunityFixture.morning's day) in Wuhan.
    static func at(_ hour: Int, _ minute: Int) -> Date {
        CommunityFixture.morning.addingTimeInterval(Double((hour - 10) * 3_600 + minute * 60))
    }

    @Test("a child not collected by closing time raises the alert, and only an authorised person can check him out")
    func notCollected() async throws {
        try await CommunityFixture.with(builtIns: [AfterSchool()]) { street in
            let member = try await street.connect(.member, "m-3")
            let otherCommunity = try await street.connect(.member, "m-2")
            defer { member.close(); otherCommunity.close() }

            // 陈小明 enrolled by 赵敏 (party member of 青宜居): his father, and his grandmother authorised.
            var enrol = AfterSchoolEnrolRequest()
            enrol.childResidentID = "r-3"
            enrol.guardians = [AfterSchoolGuardian.with { $0.name = "陈伟"; $0.phone = "13912345678"; $0.relation = "父亲" }]
            enrol.authorised = [AfterSchoolAuthorisedPerson.with { $0.name = "王秀兰"; $0.phone = "13687654321"; $0.idCardLast4 = "123X"; $0.relation = "奶奶" }]
            let enrolled = try await member.call(AfterSchool.enrol, enrol)
            #expect(enrolled.childName == "陈小明")
            #expect(try await #require(throws: RPCError.self) { try await otherCommunity.call(AfterSchool.enrol, enrol) }.code == .permissionDenied)
            var elder = enrol
            elder.childResidentID = "r-1"
            #expect(try await #require(throws: RPCError.self) { try await otherCommunity.call(AfterSchool.enrol, elder) }.code == .failedPrecondition)

            var checkIn = AfterSchoolCheckInRequest()
            checkIn.childResidentID = "r-3"
            checkIn.at = .init(date: Self.at(16, 30))
            _ = try await member.call(AfterSchool.checkIn, checkIn)

            // 17:45: nothing yet. 18:15: the alert, naming his father and his phone.
            #expect(try await street.served.service.tick(community: "qingyi", at: Self.at(17, 45)).raised.isEmpty)
            let tick = try await street.served.service.tick(community: "qingyi", at: Self.at(18, 15))
            #expect(tick.failures.isEmpty)
            #expect(tick.raised.map(\.outcome) == [.applied])
            var open = CommunityListAlertsRequest()
            open.openOnly = true
            let alerts = try await member.call(CommunityMethods.listAlerts, open)
            #expect(alerts.alerts.count == 1)
            let alert = try #require(alerts.alerts.first)
            #expect(alert.residentID == "r-3")
            #expect(alert.urgency == .high)
            #expect(alert.raisedBy == "module:after-school")
            #expect(alert.message.contains("陈伟"))
            #expect(alert.message.contains("13912345678"))

            // A stranger is refused; the refusal is in the register. His grandmother collects him.
            var stranger = AfterSchoolCheckOutRequest()
            stranger.childResidentID = "r-3"
            stranger.at = .init(date: Self.at(18, 20))
            stranger.collectorName = "张三"
            stranger.collectorPhone = "13800000000"
            let refused = try await #require(throws: RPCError.self) { try await member.call(AfterSchool.checkOut, stranger) }
            #expect(refused.code == .permissionDenied)
            #expect(refused.message.contains("张三 is not a guardian or authorised pick-up person of 陈小明"))
            var grandmother = stranger
            grandmother.at = .init(date: Self.at(18, 25))
            grandmother.collectorName = "王秀兰"
            grandmother.collectorPhone = ""
            grandmother.collectorIDCardLast4 = "123X"
            let collected = try await member.call(AfterSchool.checkOut, grandmother)
            #expect(collected.collectedAs == "authorised 奶奶")
            var day = AfterSchoolAttendanceRequest()
            day.date = "2026-11-30"
            let register = try await member.call(AfterSchool.attendance, day)
            #expect(register.entries.first?.refusals.map(\.name) == ["张三"])
            #expect(register.entries.first?.collectedByName == "王秀兰")

            // A second tick raises nothing new.
            #expect(try await street.served.service.tick(community: "qingyi", at: Self.at(18, 40)).raised.isEmpty)
            #expect(try await member.call(CommunityMethods.listAlerts, open).alerts.count == 1)
        }
    }
}
