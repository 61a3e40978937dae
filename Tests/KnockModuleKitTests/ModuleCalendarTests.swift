import Foundation
import KnockModuleKit
import Testing

/// Days and times of day in the deployment's time zone, and who may do a community's work.
@Suite("Module calendar and callers")
struct ModuleCalendarTests {
    /// 2026-11-30 23:30 in Wuhan: 15:30 UTC.
    static let lateEvening = Date(timeIntervalSince1970: 1_796_052_600)

    @Test("a date's day and time are the deployment's, not UTC's")
    func dayAndTime() throws {
        let wuhan = ModuleCalendar.knockDefault
        #expect(wuhan.day(of: Self.lateEvening) == "2026-11-30")
        #expect(wuhan.time(of: Self.lateEvening) == "23:30")
        let utc = ModuleCalendar(timeZone: TimeZone(identifier: "UTC")!)
        #expect(utc.day(of: Self.lateEvening) == "2026-11-30")
        #expect(utc.time(of: Self.lateEvening) == "15:30")
        #expect(try wuhan.start(of: "2026-12-01") == Self.lateEvening.addingTimeInterval(30 * 60))
        #expect(try wuhan.end(of: "2026-11-30") == Self.lateEvening.addingTimeInterval(30 * 60))
    }

    @Test("only real days written YYYY-MM-DD are days", arguments: ["2026-02-30", "2026-1-05", "26-11-30", "2026/11/30", "", "２０２６-11-30"])
    func notDays(_ text: String) {
        let error = #expect(throws: RPCError.self) { try ModuleCalendar.knockDefault.check(text, field: "day") }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("day must be a day") == true)
    }

    @Test("times of day read HH:MM and nothing else")
    func timesOfDay() {
        #expect(ModuleCalendar.minutes(parsing: "18:00") == 1_080)
        #expect(ModuleCalendar.minutes(parsing: "00:00") == 0)
        for bad in ["24:00", "18:60", "8:00", "18:00:00", "1800", "ab:cd"] { #expect(ModuleCalendar.minutes(parsing: bad) == nil, "\(bad)") }
        #expect(ModuleCalendar.text(minutes: 1_085) == "18:05")
    }

    @Test("a community's own work: its members but department officers, and the administrator")
    func communityWork() throws {
        let staff = ModuleCaller(identity: "knock://member/m-2", roles: ["staff"], communityID: "qinghe")
        try staff.requireCommunityWork(in: "qinghe", "work the canteen")
        #expect(throws: RPCError.self) { try staff.requireCommunityWork(in: "qingyi", "work the canteen") }
        #expect(try staff.community(named: "", "work the canteen") == "qinghe")
        #expect(throws: RPCError.self) { try staff.community(named: "qingyi", "work the canteen") }
        let officer = ModuleCaller(identity: "knock://member/m-4", roles: ["departmentOfficer"], communityID: "qinghe")
        #expect(throws: RPCError.self) { try officer.requireCommunityWork(in: "qinghe", "work the canteen") }
        let admin = ModuleCaller(identity: "knock://admin/chen")
        #expect(admin.provenance == "admin:chen")
        #expect(try admin.community(named: "qingyi", "work the canteen") == "qingyi")
        #expect(throws: RPCError.self) { try admin.community(named: "", "work the canteen") }
        let canteen = ModuleCaller(identity: "knock://module/canteen")
        #expect(try canteen.community(named: "qinghe", "read pairs", modulesMayRead: true) == "qinghe")
        #expect(throws: RPCError.self) { try canteen.community(named: "qinghe", "change pairs") }
        let hotline = ModuleCaller(identity: "knock://integrator/hotline", roles: ["integrator"])
        #expect(!hotline.isStaff(of: "qinghe"))
        #expect(staff.isStaff(of: "qinghe"))
    }

    @Test("resident tags by the names configurations use")
    func tagNames() {
        #expect(CommunityResidentTag(configurationName: "empty-nest") == .emptyNest)
        #expect(CommunityResidentTag(configurationName: "空巢") == nil)
        #expect(CommunityResidentTag.livingAlone.configurationName == "living-alone")
        #expect(CommunityResidentTag.livingAlone.chineseName == "独居")
    }
}
