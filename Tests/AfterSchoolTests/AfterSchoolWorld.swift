import Foundation
import KnockModuleKit
import KnockTestSupport
import Logging
@testable import AfterSchool

/// A hand-built world for after-school's unit tests: 青宜居's residents, a scripted host, a
/// memory store, a fixed clock (2026-11-30 10:00 in Wuhan).
struct AfterSchoolWorld {
    static let morning = Date(timeIntervalSince1970: 1_796_004_000)
    static let today = "2026-11-30"
    let host = ScriptedHost(residents: AfterSchoolWorld.residents)
    let store = MemoryModuleStore()
    let clock = ManualClock(AfterSchoolWorld.morning)
    let module = AfterSchool()
    var configuration: [String: String] = [:]

    static let partyMember = ModuleCaller(identity: "knock://member/m-3", roles: ["partyMember"], communityID: "qingyi", gridIDs: ["qingyi-g01"])
    static let outsider = ModuleCaller(identity: "knock://member/m-2", roles: ["staff"], communityID: "qinghe")
    static let administrator = ModuleCaller(identity: "knock://admin/admin")

    static func resident(_ id: String, _ name: String, _ tags: [CommunityResidentTag], community: String = "qingyi") -> CommunityResident {
        var resident = CommunityResident()
        resident.id = id
        resident.name = name
        resident.tags = tags
        resident.communityID = community
        resident.gridID = "\(community)-g01"
        return resident
    }

    static let residents = [
        resident("r-3", "陈小明", [.child]),
        resident("r-7", "李乐乐", [.child]),
        resident("r-4", "周桂兰", [.elderly, .livingAlone]),
        resident("r-8", "王小红", [.child], community: "qinghe"),
    ]

    var context: ModuleContext {
        ModuleContext(moduleID: "after-school", logger: Logger(label: "test.after-school"), clock: clock, configuration: configuration, store: store, host: host)
    }

    var desk: AfterSchoolDesk { AfterSchoolDesk(context: context) }

    /// HH:MM on 2026-11-30 in Wuhan (`days` later).
    static func at(_ hour: Int, _ minute: Int, days: Int = 0) -> Date {
        morning.addingTimeInterval(Double(days * 86_400 + (hour - 10) * 3_600 + minute * 60))
    }

    static let father = AfterSchoolGuardian.with { $0.name = "陈伟"; $0.phone = "13912345678"; $0.relation = "父亲" }
    static let grandmother = AfterSchoolAuthorisedPerson.with { $0.name = "王秀兰"; $0.idCardLast4 = "123X"; $0.relation = "奶奶" }
    static let neighbourMember = AfterSchoolAuthorisedPerson.with { $0.name = "赵敏"; $0.memberID = "m-3"; $0.relation = "邻居" }

    func enrol(_ child: String = "r-3") async throws -> AfterSchoolEnrolment {
        try await desk.enrol(AfterSchoolEnrolRequest.with {
            $0.childResidentID = child
            $0.guardians = [Self.father]
            $0.authorised = [Self.grandmother, Self.neighbourMember]
        }, by: Self.partyMember)
    }

    func checkIn(_ child: String = "r-3", at: Date = at(16, 30)) async throws -> AfterSchoolAttendanceEntry {
        try await desk.checkIn(AfterSchoolCheckInRequest.with { $0.childResidentID = child; $0.at = .init(date: at) }, by: Self.partyMember)
    }

    static func checkOut(_ child: String = "r-3", name: String = "", phone: String = "", last4: String = "", member: String = "", at: Date = at(17, 40)) -> AfterSchoolCheckOutRequest {
        .with {
            $0.childResidentID = child
            $0.collectorName = name
            $0.collectorPhone = phone
            $0.collectorIDCardLast4 = last4
            $0.collectorMemberID = member
            $0.at = .init(date: at)
        }
    }

    func tick(_ community: String = "qingyi", at: Date) async throws -> [ModuleSuggestion] {
        var event = ModuleEvent()
        event.kind = "tick"
        event.communityID = community
        event.at = .init(date: at)
        return try await module.handle(event, context: context)
    }
}
