import Foundation
import KnockModuleKit
import KnockTestSupport
import Logging
import SwiftProtobuf
import Testing
@testable import UrgentKnock

/// The ladder without a host: visits assessed, ticks handled and the case methods called by
/// hand, with a memory store and fixed times.
@Suite("随时敲 ladder")
struct UrgentKnockTests {
    /// 2026-11-30 10:00 in Wuhan (``SmallStreet/morning``).
    static let morning = Date(timeIntervalSince1970: 1_796_004_000)

    static func resident(_ id: String = "r-1", tags: [CommunityResidentTag] = [.elderly, .livingAlone, .advancedAge], community: String = "qinghe") -> CommunityResident {
        var resident = CommunityResident()
        resident.id = id
        resident.name = "张秀英"
        resident.householdID = "h-1"
        resident.gridID = "\(community)-g01"
        resident.communityID = community
        resident.tags = tags
        return resident
    }

    struct Bench {
        let module = UrgentKnock()
        let store = MemoryModuleStore()
        let clock = ManualClock(UrgentKnockTests.morning)
        let host = TestHost([UrgentKnockTests.resident(), UrgentKnockTests.resident("r-3", tags: [.child], community: "qingyi")])
        var configuration: [String: String] = [:]

        var context: ModuleContext {
            ModuleContext(moduleID: "urgent-knock", logger: Logger(label: "test.urgent-knock"), clock: clock, configuration: configuration, store: store, host: host)
        }
        var desk: CaseDesk { CaseDesk(context: context) }

        func visit(_ id: String, outcome: CommunityOutcome, at: Date, resident: CommunityResident = UrgentKnockTests.resident(), member: String = "m-1") async throws -> [ModuleSuggestion] {
            var request = ModuleAssessRequest()
            request.visit.id = id
            request.visit.memberID = member
            request.visit.residentID = resident.id
            request.visit.channel = .door
            request.visit.outcome = outcome
            request.visit.at = Google_Protobuf_Timestamp(date: at)
            request.resident = resident
            request.communityID = resident.communityID
            return try await module.assess(request, context: context)
        }

        func tick(at: Date, community: String = "qinghe") async throws -> [ModuleSuggestion] {
            var event = ModuleEvent()
            event.kind = "tick"
            event.communityID = community
            event.at = Google_Protobuf_Timestamp(date: at)
            event.attributes = ["date": "2026-11-30", "time": "10:00"]
            return try await module.handle(event, context: context)
        }

        func openCase(_ resident: String = "r-1") async throws -> UrgentKnockCase? {
            try await CaseBook(store: store).openCase(of: resident)?.value
        }
    }

    static let volunteer = ModuleCaller(identity: "knock://member/m-1", roles: ["volunteer"], communityID: "qinghe", gridIDs: ["qinghe-g01"])
    static let staff = ModuleCaller(identity: "knock://member/m-2", roles: ["staff"], communityID: "qinghe", gridIDs: ["qinghe-g02", "qinghe-g01"])
    static let outsider = ModuleCaller(identity: "knock://member/m-3", roles: ["staff"], communityID: "qingyi", gridIDs: ["qingyi-g01"])
    static let hotline = ModuleCaller(identity: "knock://integrator/hotline")

    @Test("the open case is kept under its resident too, one version with the case, so a visit brings it; closing removes it")
    func openCaseWithTheResident() async throws {
        let bench = Bench()
        let book = CaseBook(store: bench.store)
        func copyAndCase() async throws -> (copy: ModuleRecord?, stored: CaseBook.Stored?) {
            (try await bench.store.get(collection: CaseBook.open, key: "r-1"), try await book.find("visit-v-1"))
        }
        _ = try await bench.visit("v-1", outcome: .noAnswer, at: Self.morning)
        var (copy, stored) = try await copyAndCase()
        #expect(try copy?.decode(UrgentKnockCase.self) == stored?.value)
        #expect(copy?.version == 1 && stored?.version == 1)
        _ = try await bench.visit("v-2", outcome: .noAnswer, at: Self.morning.addingTimeInterval(600))
        (copy, stored) = try await copyAndCase()
        #expect(try copy?.decode(UrgentKnockCase.self) == stored?.value)
        #expect(stored?.value.steps.count == 2)
        #expect(copy?.version == 2 && stored?.version == 2)
        // A visit that brings the copy (as the host sends it) is judged on it.
        var met = ModuleAssessRequest()
        met.visit.id = "v-3"
        met.visit.memberID = "m-1"
        met.visit.residentID = "r-1"
        met.visit.outcome = .met
        met.visit.at = Google_Protobuf_Timestamp(date: Self.morning.addingTimeInterval(1_200))
        met.resident = Self.resident()
        met.communityID = "qinghe"
        met.visitRecords.collections = [CaseBook.open]
        met.visitRecords.found = [try #require(copy)]
        #expect(try await bench.module.assess(met, context: bench.context).isEmpty)
        (copy, stored) = try await copyAndCase()
        #expect(copy == nil)
        #expect(stored?.value.status == .closed)
    }

    @Test("no answer at a vulnerable resident's door opens a case at knock-again: an alert and a knock again today for the member")
    func firstNoAnswer() async throws {
        let bench = Bench()
        let suggestions = try await bench.visit("v-1", outcome: .noAnswer, at: Self.morning)
        let alert = try #require(suggestions.first { $0.raiseAlert.residentID == "r-1" }?.raiseAlert)
        #expect(alert.urgency == .high)
        #expect(alert.message.contains("step knock-again"))
        #expect(alert.message.contains("within 30 min"))
        let knock = try #require(suggestions.first { $0.scheduleKnock.residentID == "r-1" }?.scheduleKnock)
        #expect(knock.date == "2026-11-30")
        #expect(knock.channel == .door)
        #expect(knock.memberID == "m-1")
        #expect(knock.why.hasPrefix("随时敲: knock again"))

        let opened = try #require(try await bench.openCase())
        #expect(opened.id == "visit-v-1")
        #expect(opened.origin == .noAnswer)
        #expect(opened.openedBy == "member:m-1")
        #expect(opened.steps.count == 1)
        #expect(opened.steps[0].kind == .knockAgain)
        #expect(opened.steps[0].assignee == "member:m-1")
        #expect(opened.steps[0].startedAt.date == Self.morning)
        #expect(opened.steps[0].dueAt.date == Self.morning.addingTimeInterval(30 * 60))
    }

    @Test("a long visit id opens a case whose id stays short and stable")
    func longVisitID() async throws {
        let bench = Bench()
        let long = String(repeating: "v", count: 128)
        #expect(try await bench.visit(long, outcome: .noAnswer, at: Self.morning).count == 2)
        let opened = try #require(try await bench.openCase())
        #expect(opened.id == UrgentKnock.caseID(visit: long))
        #expect(opened.id.hasPrefix("visit-"))
        #expect(opened.id.utf8.count <= 22)
        #expect(UrgentKnock.caseID(visit: long) != UrgentKnock.caseID(visit: long + "w"))
        #expect(UrgentKnock.caseID(visit: "v-1") == "visit-v-1")
    }

    @Test("residents who are not vulnerable, and visits that neither met nor found no answer, open nothing")
    func notVulnerable() async throws {
        let bench = Bench()
        let emptyNest = Self.resident("r-2", tags: [.elderly, .emptyNest])
        #expect(try await bench.visit("v-1", outcome: .noAnswer, at: Self.morning, resident: emptyNest).isEmpty)
        #expect(try await bench.visit("v-2", outcome: .refused, at: Self.morning).isEmpty)
        #expect(try await bench.visit("v-3", outcome: .met, at: Self.morning).isEmpty)
        #expect(try await bench.openCase("r-2") == nil)
        #expect(try await bench.openCase("r-1") == nil)

        var configured = Bench()
        configured.configuration = ["vulnerable": "empty-nest"]
        #expect(try await configured.visit("v-4", outcome: .noAnswer, at: Self.morning).isEmpty)
        #expect(try await configured.visit("v-5", outcome: .noAnswer, at: Self.morning, resident: emptyNest).count == 2)
    }

    @Test("a second no-answer moves the case to phone; the same visit again changes nothing; a met visit closes it")
    func secondNoAnswerAndMet() async throws {
        let bench = Bench()
        _ = try await bench.visit("v-1", outcome: .noAnswer, at: Self.morning)
        let second = try await bench.visit("v-2", outcome: .noAnswer, at: Self.morning.addingTimeInterval(20 * 60))
        #expect(second.contains { $0.scheduleKnock.channel == .phone })
        #expect(second.contains { $0.raiseAlert.message.contains("step phone") })
        var current = try #require(try await bench.openCase())
        #expect(current.steps.map(\.kind) == [.knockAgain, .phone])
        #expect(current.steps[0].result == .noAnswer)
        #expect(current.steps[0].endedBy == "visit:v-2")
        #expect(current.steps[1].dueAt.date == Self.morning.addingTimeInterval(35 * 60))

        #expect(try await bench.visit("v-2", outcome: .noAnswer, at: Self.morning.addingTimeInterval(20 * 60)).isEmpty)
        #expect(try #require(try await bench.openCase()).steps.count == 2)

        #expect(try await bench.visit("v-3", outcome: .met, at: Self.morning.addingTimeInterval(25 * 60)).isEmpty)
        #expect(try await bench.openCase() == nil)
        current = try #require(try await CaseBook(store: bench.store).find("visit-v-1")).value
        #expect(current.status == .closed)
        #expect(current.steps.last?.result == .met)
        #expect(current.resolution == "met at visit v-3 by member:m-1")
        #expect(current.visitIds == ["v-1", "v-2", "v-3"])

        // After it closed, a new no-answer opens a new case.
        _ = try await bench.visit("v-4", outcome: .noAnswer, at: Self.morning.addingTimeInterval(3_600))
        #expect(try await bench.openCase()?.id == "visit-v-4")
    }

    @Test("a step not acknowledged in time escalates on the tick, one step per tick, recorded as timeout; the secretary step alert is critical")
    func escalation() async throws {
        var bench = Bench()
        bench.configuration = ["secretary.qinghe": "m-2"]
        _ = try await bench.visit("v-1", outcome: .noAnswer, at: Self.morning)
        #expect(try await bench.tick(at: Self.morning.addingTimeInterval(29 * 60)).isEmpty)
        // Another community's tick does not touch the case.
        #expect(try await bench.tick(at: Self.morning.addingTimeInterval(31 * 60), community: "qingyi").isEmpty)

        let toPhone = try await bench.tick(at: Self.morning.addingTimeInterval(31 * 60))
        #expect(toPhone.contains { $0.raiseAlert.message.contains("step knock-again was not acknowledged in time") && $0.raiseAlert.message.contains("step phone") })
        #expect(toPhone.contains { $0.scheduleKnock.channel == .phone && $0.scheduleKnock.date == "2026-11-30" })
        let toContact = try await bench.tick(at: Self.morning.addingTimeInterval(47 * 60))
        #expect(toContact.map(\.raiseAlert.urgency) == [.high])
        #expect(toContact.first?.raiseAlert.message.contains("step emergency-contact") == true)
        let toSecretary = try await bench.tick(at: Self.morning.addingTimeInterval(63 * 60))
        let alert = try #require(toSecretary.first?.raiseAlert)
        #expect(alert.urgency == .critical)
        #expect(alert.message.contains("step secretary"))
        #expect(alert.message.contains("member:m-2"))
        // Ticks within the secretary's 15 minutes do nothing.
        #expect(try await bench.tick(at: Self.morning.addingTimeInterval(70 * 60)).isEmpty)
        let toEntry = try await bench.tick(at: Self.morning.addingTimeInterval(79 * 60))
        #expect(toEntry.first?.raiseAlert.urgency == .critical)
        #expect(toEntry.first?.raiseAlert.message.contains("step entry") == true)
        // The entry step waits for RecordEntry: no more escalation.
        #expect(try await bench.tick(at: Self.morning.addingTimeInterval(5 * 3_600)).isEmpty)

        let timeline = try #require(try await bench.openCase()).steps
        #expect(timeline.map(\.kind) == [.knockAgain, .phone, .emergencyContact, .secretary, .entry])
        #expect(timeline.dropLast().allSatisfy { $0.result == .timedOut && $0.endedBy == "timeout" })
        #expect(timeline[1].startedBy == "timeout")
        #expect(timeline[1].startedAt.date == Self.morning.addingTimeInterval(31 * 60))
        #expect(timeline[3].assignee == "member:m-2")
        #expect(timeline[4].assignee == "member:m-2")
        #expect(!timeline[4].hasDueAt)
    }

    @Test("the current step's assignee or staff acknowledges: not reached starts the next step, reached closes the case")
    func acknowledge() async throws {
        let bench = Bench()
        _ = try await bench.visit("v-1", outcome: .noAnswer, at: Self.morning)
        var request = UrgentKnockAcknowledgeRequest()
        request.caseID = "visit-v-1"
        request.step = .knockAgain
        request.outcome = .notReached
        request.note = "又敲了一次，没人应"
        bench.clock.set(Self.morning.addingTimeInterval(10 * 60))
        let moved = try await bench.desk.acknowledge(request, caller: Self.volunteer)
        #expect(moved.steps.map(\.kind) == [.knockAgain, .phone])
        #expect(moved.steps[0].acknowledgedBy == "member:m-1")
        #expect(moved.steps[0].acknowledgedAt.date == Self.morning.addingTimeInterval(10 * 60))
        #expect(moved.steps[0].note == "又敲了一次，没人应")
        #expect(moved.steps[0].result == .notReached)
        #expect(moved.steps[1].startedBy == "member:m-1 (not reached)")
        #expect(bench.host.alerts.last?.message.contains("step phone") == true)

        // Acknowledging a step that is not current.
        let stale = try await #require(throws: RPCError.self) { try await bench.desk.acknowledge(request, caller: Self.volunteer) }
        #expect(stale.code == .failedPrecondition)
        request.step = .phone
        request.outcome = .reached
        request.note = "电话打通了，在女儿家"
        // Staff of another community cannot see it.
        #expect(await code { try await bench.desk.acknowledge(request, caller: Self.outsider) } == .notFound)
        let closed = try await bench.desk.acknowledge(request, caller: Self.staff)
        #expect(closed.status == .closed)
        #expect(closed.closedBy == "member:m-2")
        #expect(closed.resolution == "reached at step phone: 电话打通了，在女儿家")
        #expect(try await bench.openCase() == nil)
        // Anything on a closed case.
        #expect(await code { try await bench.desk.acknowledge(request, caller: Self.staff) } == .failedPrecondition)
        var entry = UrgentKnockRecordEntryRequest()
        entry.caseID = "visit-v-1"
        entry.enteredBy = "李强"
        entry.found = "家中无人"
        #expect(await code { try await bench.desk.recordEntry(entry, caller: Self.staff) } == .failedPrecondition)
    }

    @Test("every alert a case raises is named and kept with the case, and acknowledged when it closes; other cases' alerts are left alone")
    func alertsAcknowledgedOnClose() async throws {
        var bench = Bench()
        bench.configuration = ["ladder": "knock-again:30,phone:15,entry"]
        // Opened (knock-again), moved on by a second no-answer (phone), then an emergency joins it.
        let opened = try await bench.visit("v-1", outcome: .noAnswer, at: Self.morning)
        let again = try await bench.visit("v-2", outcome: .noAnswer, at: Self.morning.addingTimeInterval(600))
        var emergency = UrgentKnockRaiseEmergencyRequest()
        emergency.id = "call-1"
        emergency.residentID = "r-1"
        emergency.summary = "一键呼叫器报警"
        _ = try await bench.desk.raiseEmergency(emergency, caller: Self.hotline)
        let alertIDs = (opened + again).compactMap { $0.raiseAlert.id.isEmpty ? nil : $0.raiseAlert.id } + [bench.host.alerts.last?.id ?? ""]
        #expect(alertIDs == ["urgent-knock-visit-v-1-alert-1", "urgent-knock-visit-v-1-alert-2", "urgent-knock-visit-v-1-emergency-1"])
        #expect(try await bench.openCase()?.alertIds == alertIDs)
        // Another resident's case, left open.
        _ = try await bench.visit("v-9", outcome: .noAnswer, at: Self.morning, resident: Self.resident("r-5"))

        _ = try await bench.visit("v-3", outcome: .met, at: Self.morning.addingTimeInterval(1_200))
        #expect(bench.host.acknowledged.map(\.id) == alertIDs)
        #expect(bench.host.acknowledged.allSatisfy { $0.note == "随时敲 case visit-v-1 closed: met at visit v-3 by member:m-1" })
        #expect(try await bench.openCase("r-5")?.alertIds == ["urgent-knock-visit-v-9-alert-1"])
    }

    @Test("someone else's step cannot be acknowledged by a volunteer; bad acknowledgements are refused and change nothing")
    func acknowledgeRefusals() async throws {
        var bench = Bench()
        bench.configuration = ["ladder": "secretary:15,entry", "secretary.qinghe": "m-2"]
        _ = try await bench.visit("v-1", outcome: .noAnswer, at: Self.morning)
        var request = UrgentKnockAcknowledgeRequest()
        request.caseID = "visit-v-1"
        request.step = .secretary
        request.outcome = .notReached
        request.note = "收到"
        #expect(await code { try await bench.desk.acknowledge(request, caller: Self.volunteer) } == .permissionDenied)
        #expect(await code { try await bench.desk.acknowledge(request, caller: Self.hotline) } == .notFound)
        var blank = request
        blank.note = "  "
        #expect(await code { try await bench.desk.acknowledge(blank, caller: Self.staff) } == .invalidArgument)
        var noStep = request
        noStep.step = .unspecified
        #expect(await code { try await bench.desk.acknowledge(noStep, caller: Self.staff) } == .invalidArgument)
        var noOutcome = request
        noOutcome.outcome = .unspecified
        #expect(await code { try await bench.desk.acknowledge(noOutcome, caller: Self.staff) } == .invalidArgument)
        var unknown = request
        unknown.caseID = "visit-v-404"
        #expect(await code { try await bench.desk.acknowledge(unknown, caller: Self.staff) } == .notFound)
        #expect(try #require(try await bench.openCase()).steps.count == 1)

        // At the entry step only RecordEntry ends the case.
        let atEntry = try await bench.desk.acknowledge(request, caller: Self.staff)
        #expect(atEntry.steps.last?.kind == .entry)
        request.step = .entry
        #expect(await code { try await bench.desk.acknowledge(request, caller: Self.staff) } == .failedPrecondition)
    }

    @Test("an authorised entry is recorded by staff with who authorised, who entered, when and what was found, and closes the case")
    func entry() async throws {
        let bench = Bench()
        _ = try await bench.visit("v-1", outcome: .noAnswer, at: Self.morning)
        var request = UrgentKnockRecordEntryRequest()
        request.caseID = "visit-v-1"
        request.enteredBy = "李强 (m-2)、民警周伟、开锁师傅"
        request.found = "found on the floor, conscious; ambulance called"
        bench.clock.set(Self.morning.addingTimeInterval(3_600))
        request.enteredAt = Google_Protobuf_Timestamp(date: Self.morning.addingTimeInterval(50 * 60))

        #expect(await code { try await bench.desk.recordEntry(request, caller: Self.volunteer) } == .permissionDenied)
        var blank = request
        blank.found = ""
        #expect(await code { try await bench.desk.recordEntry(blank, caller: Self.staff) } == .invalidArgument)
        var future = request
        future.enteredAt = Google_Protobuf_Timestamp(date: Self.morning.addingTimeInterval(3 * 3_600))
        #expect(await code { try await bench.desk.recordEntry(future, caller: Self.staff) } == .invalidArgument)
        var early = request
        early.enteredAt = Google_Protobuf_Timestamp(date: Self.morning.addingTimeInterval(-60))
        #expect(await code { try await bench.desk.recordEntry(early, caller: Self.staff) } == .invalidArgument)
        #expect(try await bench.openCase() != nil)

        let closed = try await bench.desk.recordEntry(request, caller: Self.staff)
        #expect(closed.status == .closed)
        #expect(closed.entry.authorisedBy == "member:m-2")
        #expect(closed.entry.authorisedAt.date == Self.morning.addingTimeInterval(3_600))
        #expect(closed.entry.enteredBy == "李强 (m-2)、民警周伟、开锁师傅")
        #expect(closed.entry.enteredAt.date == Self.morning.addingTimeInterval(50 * 60))
        #expect(closed.entry.found == "found on the floor, conscious; ambulance called")
        // Entered ahead of the ladder: knock-again ended by the entry, an entry step recorded.
        #expect(closed.steps.map(\.kind) == [.knockAgain, .entry])
        #expect(closed.steps.map(\.result) == [.entered, .entered])
        #expect(closed.steps[1].startedBy == "member:m-2 (entry authorised)")
        #expect(try await bench.openCase() == nil)
    }

    @Test("an emergency opens a case at the chosen step and raises a critical alert; a retry answers the same case")
    func emergency() async throws {
        let bench = Bench()
        var request = UrgentKnockRaiseEmergencyRequest()
        request.id = "call-7"
        request.residentID = "r-1"
        request.startAt = .secretary
        request.summary = "一键呼叫器报警，电话无人接"
        let opened = try await bench.desk.raiseEmergency(request, caller: Self.hotline)
        #expect(opened.id == "emergency-call-7")
        #expect(opened.origin == .emergency)
        #expect(opened.openedBy == "integrator:hotline")
        #expect(opened.steps.map(\.kind) == [.secretary])
        #expect(opened.steps[0].assignee == "role:staff")
        #expect(bench.host.alerts.count == 1)
        #expect(bench.host.alerts[0].urgency == .critical)
        #expect(bench.host.alerts[0].message.contains("emergency: 一键呼叫器报警"))

        let retry = try await bench.desk.raiseEmergency(request, caller: Self.hotline)
        #expect(retry == opened)
        #expect(Set(bench.host.alerts.map(\.id)).count == 1)

        // The integrator sees its own cases only; a member of the community sees it too.
        var list = UrgentKnockListCasesRequest()
        #expect(try await bench.desk.list(list, caller: Self.hotline).cases.map(\.id) == ["emergency-call-7"])
        #expect(try await bench.desk.list(list, caller: Self.volunteer).cases.map(\.id) == ["emergency-call-7"])
        list.communityID = "qingyi"
        #expect(await code { try await bench.desk.list(list, caller: Self.volunteer) } == .permissionDenied)
        #expect(try await bench.desk.list(list, caller: Self.outsider).cases.isEmpty)

        // Another resident under the same id.
        var reused = request
        reused.residentID = "r-3"
        #expect(await code { try await bench.desk.raiseEmergency(reused, caller: Self.hotline) } == .alreadyExists)
    }

    @Test("an emergency about a resident with an open case joins it: a later step moves the case on, an earlier one does not; each raises a critical alert")
    func emergencyJoinsOpenCase() async throws {
        let bench = Bench()
        _ = try await bench.visit("v-1", outcome: .noAnswer, at: Self.morning)
        let alarm = ModuleCaller(identity: "knock://integrator/alarm")
        var request = UrgentKnockRaiseEmergencyRequest()
        request.id = "alarm-1"
        request.residentID = "r-1"
        request.startAt = .secretary
        request.summary = "一键呼叫器报警"
        bench.clock.set(Self.morning.addingTimeInterval(5 * 60))
        let joined = try await bench.desk.raiseEmergency(request, caller: alarm)
        #expect(joined.id == "visit-v-1")
        #expect(joined.steps.map(\.kind) == [.knockAgain, .secretary])
        #expect(joined.steps[0].result == .emergency)
        #expect(joined.steps[0].endedBy == "integrator:alarm")
        #expect(joined.steps[1].startedBy == "integrator:alarm (emergency)")
        #expect(joined.steps[1].assignee == "role:staff")
        #expect(joined.emergencies.map(\.id) == ["alarm-1"])
        #expect(bench.host.alerts.map(\.urgency) == [.critical])
        // The integrator may now read the case it raised an emergency on.
        var get = UrgentKnockGetCaseRequest()
        get.id = "visit-v-1"
        #expect(try await bench.desk.get(get, caller: alarm).id == "visit-v-1")
        // A retry changes nothing.
        #expect(try await bench.desk.raiseEmergency(request, caller: alarm) == joined)
        #expect(Set(bench.host.alerts.map(\.id)).count == 1)

        // An emergency asking for an earlier step leaves the step; it is recorded and alerted.
        request.id = "alarm-2"
        request.startAt = .phone
        let again = try await bench.desk.raiseEmergency(request, caller: alarm)
        #expect(again.steps.map(\.kind) == [.knockAgain, .secretary])
        #expect(again.emergencies.map(\.id) == ["alarm-1", "alarm-2"])
        #expect(Set(bench.host.alerts.map(\.id)).count == 2)
    }

    @Test("bad emergencies are refused and open nothing")
    func badEmergencies() async throws {
        var bench = Bench()
        bench.configuration = ["ladder": "phone:10,entry"]
        var request = UrgentKnockRaiseEmergencyRequest()
        request.residentID = "r-1"
        request.summary = "摔倒"
        var noSummary = request
        noSummary.summary = ""
        #expect(await code { try await bench.desk.raiseEmergency(noSummary, caller: Self.staff) } == .invalidArgument)
        var noResident = request
        noResident.residentID = ""
        #expect(await code { try await bench.desk.raiseEmergency(noResident, caller: Self.staff) } == .invalidArgument)
        var offLadder = request
        offLadder.startAt = .secretary
        #expect(await code { try await bench.desk.raiseEmergency(offLadder, caller: Self.staff) } == .invalidArgument)
        var badID = request
        badID.id = "two words"
        #expect(await code { try await bench.desk.raiseEmergency(badID, caller: Self.staff) } == .invalidArgument)
        var unknown = request
        unknown.residentID = "r-404"
        #expect(await code { try await bench.desk.raiseEmergency(unknown, caller: Self.staff) } == .notFound)
        var elsewhere = request
        elsewhere.residentID = "r-3"
        #expect(await code { try await bench.desk.raiseEmergency(elsewhere, caller: Self.staff) } == .notFound)
        let module = ModuleCaller(identity: "knock://module/canteen")
        #expect(await code { try await bench.desk.raiseEmergency(request, caller: module) } == .permissionDenied)
        #expect(try await bench.store.query(collection: CaseBook.cases, where: [:], limit: 10, after: nil).records.isEmpty)
        #expect(bench.host.alerts.isEmpty)
    }
}

/// The status code `body` fails with, or `nil` if it succeeds.
func code(_ body: () async throws -> some Any) async -> StatusCode? {
    do {
        _ = try await body()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        return .unknown
    }
}
