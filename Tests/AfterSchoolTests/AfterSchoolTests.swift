import Foundation
import KnockModuleKit
import KnockTestSupport
import Testing
@testable import AfterSchool

/// after-school's rules with a hand-built context: a scripted host, a memory store, a fixed clock.
@Suite("The 4:30 after-school (四点半学校)")
struct AfterSchoolTests {
    typealias World = AfterSchoolWorld

    @Test("the descriptor is valid, names every method and embeds their schemas for knock call")
    func descriptor() throws {
        let descriptor = AfterSchool().descriptor
        try descriptor.validate()
        #expect(descriptor.id == "after-school")
        #expect(descriptor.permissions == ["residents.read"])
        #expect(!descriptor.fileDescriptorSet.isEmpty)
        #expect(descriptor.methods.allSatisfy { $0.name.hasPrefix("after-school.") })
    }

    @Test("configuration: closes defaults to 18:00; a bad time or an unknown key is an error naming it")
    func configuration() throws {
        #expect(try AfterSchoolConfiguration([:]).closesMinutes == 18 * 60)
        #expect(try AfterSchoolConfiguration(["closes": "17:30"]).closesMinutes == 17 * 60 + 30)
        for bad in ["18", "24:00", "18:60", "6:00", "18:00:00", "", "ab:cd"] {
            let error = try #require(throws: RPCError.self) { try AfterSchoolConfiguration(["closes": bad]) }
            #expect(error.message.contains("closes"), "\(bad)")
        }
        let unknown = try #require(throws: RPCError.self) { try AfterSchoolConfiguration(["close": "18:00"]) }
        #expect(unknown.message.contains("close"))
    }

    @Test("a child is enrolled with guardians and authorised pick-up persons; others, unknown residents and bad details are refused")
    func enrolment() async throws {
        let world = World()
        let enrolment = try await world.enrol()
        #expect(enrolment.childName == "陈小明")
        #expect(enrolment.communityID == "qingyi")
        #expect(enrolment.guardians == [World.father])
        #expect(enrolment.enrolledBy == "member:m-3")
        let listed = try await world.desk.listEnrolments(AfterSchoolListEnrolmentsRequest(), by: World.partyMember)
        #expect(listed.enrolments.map(\.childResidentID) == ["r-3"])

        func request(_ child: String, guardians: [AfterSchoolGuardian] = [World.father], authorised: [AfterSchoolAuthorisedPerson] = []) -> AfterSchoolEnrolRequest {
            .with { $0.childResidentID = child; $0.guardians = guardians; $0.authorised = authorised }
        }
        let cases: [(AfterSchoolEnrolRequest, ModuleCaller, StatusCode)] = [
            (request("r-4"), World.partyMember, .failedPrecondition),
            (request("r-9"), World.partyMember, .notFound),
            (request("r-8"), World.partyMember, .permissionDenied),
            (request("r-7"), World.outsider, .permissionDenied),
            (request(""), World.partyMember, .invalidArgument),
            (request("r-7", guardians: []), World.partyMember, .invalidArgument),
            (request("r-7", guardians: [.with { $0.name = "陈伟"; $0.phone = "12" }]), World.partyMember, .invalidArgument),
            (request("r-7", guardians: [.with { $0.phone = "13912345678" }]), World.partyMember, .invalidArgument),
            (request("r-7", authorised: [.with { $0.name = "王秀兰" }]), World.partyMember, .invalidArgument),
            (request("r-7", authorised: [.with { $0.name = "王秀兰"; $0.idCardLast4 = "12a4"; $0.phone = "13900000000" }]), World.partyMember, .invalidArgument),
        ]
        for (request, caller, code) in cases {
            let error = try await #require(throws: RPCError.self) { try await world.desk.enrol(request, by: caller) }
            #expect(error.code == code, "\(request)")
        }
        #expect(try await world.desk.listEnrolments(AfterSchoolListEnrolmentsRequest(), by: World.partyMember).enrolments.count == 1)
        let admin = try await #require(throws: RPCError.self) { try await world.desk.listEnrolments(AfterSchoolListEnrolmentsRequest(), by: World.administrator) }
        #expect(admin.code == .invalidArgument)
    }

    @Test("sessions and tutors: added once by id, tutors assigned, listed with the day's register")
    func sessions() async throws {
        let world = World()
        var session = AfterSchoolSession()
        session.id = "s-1"
        session.date = World.today
        session.starts = "16:30"
        session.ends = "18:00"
        session.subject = "作业辅导"
        let added = try await world.desk.addSession(.with { $0.session = session }, by: World.partyMember)
        #expect(added.communityID == "qingyi")
        #expect(try await world.desk.addSession(.with { $0.session = session }, by: World.partyMember) == added)
        var other = session
        other.subject = "书法"
        let taken = try await #require(throws: RPCError.self) { try await world.desk.addSession(.with { $0.session = other }, by: World.partyMember) }
        #expect(taken.code == .alreadyExists)
        let changes: [(inout AfterSchoolSession) -> Void] = [
            { $0.id = "s-2"; $0.starts = "18:00" }, { $0.id = "s-2"; $0.date = "2026-13-01" }, { $0.id = "s-2"; $0.subject = "" }, { $0.id = "" },
        ]
        for change in changes {
            var bad = session
            change(&bad)
            let error = try await #require(throws: RPCError.self) { try await world.desk.addSession(.with { $0.session = bad }, by: World.partyMember) }
            #expect(error.code == .invalidArgument)
        }
        let tutored = try await world.desk.assignTutor(.with { $0.sessionID = "s-1"; $0.tutorMemberID = "m-3" }, by: World.partyMember)
        #expect(tutored.tutorMemberIds == ["m-3"])
        #expect(try await world.desk.assignTutor(.with { $0.sessionID = "s-1"; $0.tutorMemberID = "m-3" }, by: World.partyMember).tutorMemberIds == ["m-3"])
        let missing = try await #require(throws: RPCError.self) { try await world.desk.assignTutor(.with { $0.sessionID = "s-9"; $0.tutorMemberID = "m-3" }, by: World.partyMember) }
        #expect(missing.code == .notFound)
        let outsider = try await #require(throws: RPCError.self) { try await world.desk.assignTutor(.with { $0.sessionID = "s-1"; $0.tutorMemberID = "m-2" }, by: World.outsider) }
        #expect(outsider.code == .permissionDenied)

        _ = try await world.enrol()
        let entry = try await world.desk.checkIn(.with { $0.childResidentID = "r-3"; $0.at = .init(date: World.at(16, 20)); $0.sessionID = "s-1" }, by: World.partyMember)
        #expect(entry.sessionID == "s-1")
        let wrongDay = try await #require(throws: RPCError.self) {
            try await world.desk.checkIn(.with { $0.childResidentID = "r-3"; $0.at = .init(date: World.at(16, 20, days: 1)); $0.sessionID = "s-1" }, by: World.partyMember)
        }
        #expect(wrongDay.code == .invalidArgument)
        let register = try await world.desk.attendance(.with { $0.date = World.today }, by: World.partyMember)
        #expect(register.sessions.map(\.id) == ["s-1"])
        #expect(register.entries.map(\.childResidentID) == ["r-3"])
    }

    @Test("check-out only to a guardian or an authorised person; anyone else is refused with a clear message and the refusal recorded")
    func checkOut() async throws {
        let world = World()
        _ = try await world.enrol()
        let notIn = try await #require(throws: RPCError.self) { try await world.desk.checkOut(World.checkOut(name: "陈伟", phone: "13912345678"), by: World.partyMember) }
        #expect(notIn.code == .failedPrecondition)
        let arrived = try await world.checkIn()
        #expect(try await world.checkIn(at: World.at(16, 45)) == arrived)

        let refusals: [AfterSchoolCheckOutRequest] = [
            World.checkOut(name: "张三", phone: "13800000000"),
            World.checkOut(name: "陈伟", phone: "13900000000"),
            World.checkOut(name: "王秀兰", last4: "9999"),
            World.checkOut(name: "王秀兰"),
            World.checkOut(member: "m-2"),
        ]
        for request in refusals {
            let error = try await #require(throws: RPCError.self) { try await world.desk.checkOut(request, by: World.partyMember) }
            #expect(error.code == .permissionDenied, "\(request)")
            #expect(error.message.contains("is not a guardian or authorised pick-up person of 陈小明"))
            #expect(error.message.contains("陈伟 13912345678"))
        }
        let register = try await world.desk.attendance(.with { $0.date = World.today }, by: World.partyMember)
        let entry = try #require(register.entries.first)
        #expect(entry.refusals.map(\.name) == ["张三", "陈伟", "王秀兰", "王秀兰", ""])
        #expect(entry.refusals.first?.recordedBy == "member:m-3")
        #expect(!entry.hasCheckedOutAt)

        let nameless = try await #require(throws: RPCError.self) { try await world.desk.checkOut(World.checkOut(), by: World.partyMember) }
        #expect(nameless.code == .invalidArgument)
        let outsider = try await #require(throws: RPCError.self) { try await world.desk.checkOut(World.checkOut(name: "陈伟", phone: "13912345678"), by: World.outsider) }
        #expect(outsider.code == .permissionDenied)

        let collected = try await world.desk.checkOut(World.checkOut(name: " 王 秀兰", last4: "123x"), by: World.partyMember)
        #expect(collected.collectedByName == "王秀兰")
        #expect(collected.collectedAs == "authorised 奶奶")
        #expect(collected.refusals.count == 5)
        let twice = try await #require(throws: RPCError.self) { try await world.desk.checkOut(World.checkOut(name: "陈伟", phone: "13912345678"), by: World.partyMember) }
        #expect(twice.code == .failedPrecondition)
        let again = try await #require(throws: RPCError.self) { try await world.checkIn(at: World.at(17, 50)) }
        #expect(again.code == .failedPrecondition)
    }

    @Test("a guardian collects by name and phone, however the phone is written; an authorised member by member id")
    func guardianAndMember() async throws {
        let world = World()
        _ = try await world.enrol()
        _ = try await world.enrol("r-7")
        _ = try await world.checkIn()
        _ = try await world.checkIn("r-7")
        let father = try await world.desk.checkOut(World.checkOut(name: "陈伟", phone: "139-1234 5678"), by: World.partyMember)
        #expect(father.collectedAs == "guardian 父亲")
        let member = try await world.desk.checkOut(World.checkOut("r-7", member: "m-3"), by: World.partyMember)
        #expect(member.collectedAs == "authorised 邻居")
        #expect(member.collectedByName == "赵敏")
    }

    @Test("a child not collected by closing time raises one high alert naming the guardian and phone; collected children and other communities raise none")
    func notCollected() async throws {
        let world = World()
        _ = try await world.enrol()
        _ = try await world.enrol("r-7")
        _ = try await world.checkIn()
        _ = try await world.checkIn("r-7")
        _ = try await world.desk.checkOut(World.checkOut("r-7", name: "陈伟", phone: "13912345678", at: World.at(17, 50)), by: World.partyMember)
        #expect(try await world.tick(at: World.at(17, 59)).isEmpty)
        #expect(try await world.tick(at: World.at(18, 0)).isEmpty)
        #expect(try await world.tick("qinghe", at: World.at(18, 15)).isEmpty)
        let raised = try await world.tick(at: World.at(18, 15))
        #expect(raised.count == 1)
        let alert = try #require(raised.first?.raiseAlert)
        #expect(alert.residentID == "r-3")
        #expect(alert.urgency == .high)
        #expect(alert.message.contains("陈小明 was not collected by 18:00"))
        #expect(alert.message.contains("checked in 16:30"))
        #expect(alert.message.contains("guardian 陈伟 (父亲) 13912345678"))
        #expect(try await world.tick(at: World.at(18, 30)).isEmpty)
        let register = try await world.desk.attendance(.with { $0.date = World.today }, by: World.partyMember)
        #expect(register.entries.first { $0.childResidentID == "r-3" }?.alertedAt == .init(date: World.at(18, 15)))
        // The next day starts afresh: uncollected again, alerted again.
        _ = try await world.checkIn(at: World.at(16, 30, days: 1))
        #expect(try await world.tick(at: World.at(18, 5, days: 1)).count == 1)
    }

    @Test("closing time is configured: closes=17:30 alerts at 17:31")
    func configuredClosing() async throws {
        var world = World()
        world.configuration = ["closes": "17:30"]
        _ = try await world.enrol()
        _ = try await world.checkIn()
        let raised = try await world.tick(at: World.at(17, 31))
        #expect(raised.first?.raiseAlert.message.contains("by 17:30") == true)
        world.configuration = ["closes": "5pm"]
        let bad = try await #require(throws: RPCError.self) { try await world.tick(at: World.at(17, 31)) }
        #expect(bad.message.contains("closes"))
    }
}
