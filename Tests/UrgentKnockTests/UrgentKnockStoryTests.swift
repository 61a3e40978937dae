import Foundation
import KnockDomain
import KnockHost
import KnockModuleKit
import KnockTestSupport
import SwiftProtobuf
import Testing
import UrgentKnock

/// 随时敲 inside a real host: members call over mutual TLS, visits go through the host's
/// pipeline, time moves with the host's Tick.
@Suite("随时敲 in a host")
struct UrgentKnockStoryTests {
    static let morning = CommunityFixture.morning

    static func minutes(_ count: Double) -> Date { morning.addingTimeInterval(count * 60) }

    static func visit(_ id: String, at: Date) -> CommunityRecordVisitRequest {
        var request = CommunityFixture.visit(id, resident: "r-1", outcome: .noAnswer)
        request.visit.at = Google_Protobuf_Timestamp(date: at)
        request.visit.observations = "敲门无人应答"
        return request
    }

    @Test("an elder living alone, just out of hospital, does not answer two knocks: the ladder runs, the secretary is alerted, an authorised entry finds her on the floor and the record says who did what and when")
    func noAnswerLadder() async throws {
        let policy = HostModuleService.Policy(configuration: { $0 == "urgent-knock" ? ["secretary.qinghe": "m-2"] : [:] })
        let moduleClock = ManualClock(Self.morning)
        try await CommunityFixture.with(builtIns: [UrgentKnock()], policy: policy, moduleClock: moduleClock) { street in
            // 张秀英 (r-1, 88, living alone) has just come home from hospital.
            var discharged = try #require(CommunityFixture.residents.first { $0.id == "r-1" })
            discharged.tags.insert(.recentlyDischarged)
            _ = try await street.database.importRoster(households: [], residents: [discharged], caller: CommunityFixture.administrator)

            let volunteer = try await street.connect(.member, "m-1")
            let staff = try await street.connect(.member, "m-2")
            let elsewhere = try await street.connect(.member, "m-3")
            defer { volunteer.close(); staff.close(); elsewhere.close() }

            // First knock, 10:00: no answer. A case opens at knock-again.
            let first = try await volunteer.call(CommunityMethods.recordVisit, Self.visit("v-1", at: Self.morning))
            let fromLadder = first.raised.filter { $0.suggestion.suggestedBy == "urgent-knock" }
            #expect(fromLadder.map(\.outcome) == [.applied, .applied])
            #expect(fromLadder.contains { $0.suggestion.scheduleKnock.channel == .door })

            // Second knock, 10:20: still no answer. The case moves on to phone.
            street.clock.advance(20 * 60)
            let second = try await volunteer.call(CommunityMethods.recordVisit, Self.visit("v-2", at: Self.minutes(20)))
            #expect(second.raised.contains { $0.suggestion.scheduleKnock.channel == .phone && $0.outcome == .applied })
            var list = UrgentKnockListCasesRequest()
            list.status = .open
            let open = try await volunteer.call(UrgentKnock.listCases, list)
            #expect(open.cases.map(\.id) == ["visit-v-1"])
            #expect(open.cases.first?.steps.last?.kind == .phone)

            // Nobody acknowledges: each tick past a step's limit escalates it.
            #expect(try await street.served.service.tick(community: "qinghe", at: Self.minutes(30)).raised.isEmpty)
            let toContact = try await street.served.service.tick(community: "qinghe", at: Self.minutes(36))
            #expect(toContact.raised.map(\.outcome) == [.applied])
            let toSecretary = try await street.served.service.tick(community: "qinghe", at: Self.minutes(52))
            #expect(toSecretary.raised.map(\.outcome) == [.applied])

            // The secretary (m-2) sees a critical alert naming the secretary step.
            var alertsRequest = CommunityListAlertsRequest()
            alertsRequest.openOnly = true
            let alerts = try await staff.call(CommunityMethods.listAlerts, alertsRequest).alerts
            let secretaryAlert = try #require(alerts.first { $0.message.contains("step secretary") })
            #expect(secretaryAlert.urgency == .critical)
            #expect(secretaryAlert.raisedBy == "module:urgent-knock")
            #expect(secretaryAlert.residentID == "r-1")
            #expect(secretaryAlert.message.contains("member:m-2"))
            #expect(alerts.filter { $0.raisedBy == "module:urgent-knock" }.count == 4)

            // The volunteer may not acknowledge the secretary's step; nor authorise an entry.
            var acknowledge = UrgentKnockAcknowledgeRequest()
            acknowledge.caseID = "visit-v-1"
            acknowledge.step = .secretary
            acknowledge.outcome = .notReached
            acknowledge.note = "已通知，电话和紧急联系人均未接通，申请入户"
            #expect(await code { try await volunteer.call(UrgentKnock.acknowledge, acknowledge) } == .permissionDenied)
            var wrongStep = acknowledge
            wrongStep.step = .phone
            #expect(await code { try await staff.call(UrgentKnock.acknowledge, wrongStep) } == .failedPrecondition)
            moduleClock.set(Self.minutes(60))
            let atEntry = try await staff.call(UrgentKnock.acknowledge, acknowledge)
            #expect(atEntry.steps.last?.kind == .entry)

            var entry = UrgentKnockRecordEntryRequest()
            entry.caseID = "visit-v-1"
            entry.enteredBy = "李强 (m-2)、民警周伟、开锁师傅"
            entry.found = "found on the floor, conscious; ambulance called"
            #expect(await code { try await volunteer.call(UrgentKnock.recordEntry, entry) } == .permissionDenied)
            var noFinding = entry
            noFinding.found = " "
            #expect(await code { try await staff.call(UrgentKnock.recordEntry, noFinding) } == .invalidArgument)
            moduleClock.set(Self.minutes(90))
            var early = entry
            early.enteredAt = Google_Protobuf_Timestamp(date: Self.minutes(-5))
            #expect(await code { try await staff.call(UrgentKnock.recordEntry, early) } == .invalidArgument)
            entry.enteredAt = Google_Protobuf_Timestamp(date: Self.minutes(75))
            let closed = try await staff.call(UrgentKnock.recordEntry, entry)
            #expect(closed.status == .closed)
            // The case's alerts are acknowledged with how it ended.
            let afterwards = try await staff.call(CommunityMethods.listAlerts, CommunityListAlertsRequest()).alerts.filter { $0.raisedBy == "module:urgent-knock" }
            #expect(afterwards.count == 5)
            #expect(afterwards.allSatisfy { $0.acknowledgedBy == "module:urgent-knock" && $0.acknowledgement.contains("closed: entry authorised by member:m-2") })
            #expect(try await staff.call(CommunityMethods.listAlerts, alertsRequest).alerts.isEmpty)

            // The record says who did what and when.
            var get = UrgentKnockGetCaseRequest()
            get.id = "visit-v-1"
            let record = try await volunteer.call(UrgentKnock.getCase, get)
            #expect(record.steps.map(\.kind) == [.knockAgain, .phone, .emergencyContact, .secretary, .entry])
            #expect(record.steps.map(\.startedBy) == ["visit:v-1 (no answer)", "visit:v-2 (no answer)", "timeout", "timeout", "member:m-2 (not reached)"])
            #expect(record.steps.map(\.endedBy) == ["visit:v-2", "timeout", "timeout", "member:m-2", "member:m-2"])
            #expect(record.steps.map(\.assignee) == ["member:m-1", "member:m-1", "member:m-1", "member:m-2", "member:m-2"])
            #expect(record.steps.map(\.startedAt.date) == [Self.morning, Self.minutes(20), Self.minutes(36), Self.minutes(52), Self.minutes(60)])
            #expect(record.steps.map(\.endedAt.date) == [Self.minutes(20), Self.minutes(36), Self.minutes(52), Self.minutes(60), Self.minutes(75)])
            #expect(record.steps[3].acknowledgedAt.date == Self.minutes(60))
            #expect(record.steps[4].acknowledgedAt.date == Self.minutes(90))
            #expect(record.entry.authorisedAt.date == Self.minutes(90))
            #expect(record.entry.enteredAt.date == Self.minutes(75))
            #expect(record.steps[3].acknowledgedBy == "member:m-2")
            #expect(record.steps[3].note == "已通知，电话和紧急联系人均未接通，申请入户")
            #expect(record.entry.authorisedBy == "member:m-2")
            #expect(record.entry.enteredBy == "李强 (m-2)、民警周伟、开锁师傅")
            #expect(record.entry.found == "found on the floor, conscious; ambulance called")
            #expect(record.closedBy == "member:m-2")
            #expect(record.visitIds == ["v-1", "v-2"])

            // Another community's member cannot see it; unknown and malformed requests are refused.
            #expect(await code { try await elsewhere.call(UrgentKnock.getCase, get) } == .notFound)
            get.id = "visit-v-404"
            #expect(await code { try await staff.call(UrgentKnock.getCase, get) } == .notFound)
            get.id = ""
            #expect(await code { try await staff.call(UrgentKnock.getCase, get) } == .invalidArgument)
            #expect(await code { try await staff.call(UrgentKnock.acknowledge, acknowledge) } == .failedPrecondition)
            list.status = .closed
            #expect(try await staff.call(UrgentKnock.listCases, list).cases.map(\.id) == ["visit-v-1"])
        }
    }

    @Test("members record no-answer visits at one door at the same moment: every visit lands in the one case and none reports a problem")
    func simultaneousNoAnswers() async throws {
        try await CommunityFixture.with(builtIns: [UrgentKnock()], moduleClock: ManualClock(Self.morning)) { street in
            let volunteer = try await street.connect(.member, "m-1")
            defer { volunteer.close() }
            let first = try await volunteer.call(CommunityMethods.recordVisit, Self.visit("v-1", at: Self.morning))
            #expect(first.problems.isEmpty)
            // Eight more at once: each reads the open case and writes it back; those that find
            // it changed meanwhile are asked again by the host.
            let ids = (2...9).map { "v-\($0)" }
            let answers = try await withThrowingTaskGroup(of: CommunityRecordVisitResponse.self) { group in
                for (index, id) in ids.enumerated() {
                    group.addTask { try await volunteer.call(CommunityMethods.recordVisit, Self.visit(id, at: Self.minutes(Double(index + 1)))) }
                }
                var answers: [CommunityRecordVisitResponse] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            #expect(answers.count == 8)
            #expect(answers.allSatisfy { $0.problems.isEmpty && !$0.duplicate })
            var list = UrgentKnockListCasesRequest()
            list.status = .open
            let open = try await volunteer.call(UrgentKnock.listCases, list)
            #expect(open.cases.map(\.id) == ["visit-v-1"])
            #expect(Set(open.cases.first?.visitIds ?? []) == Set(["v-1"] + ids))
        }
    }

    @Test("an integrator raises an emergency at the secretary step: the case opens and a critical alert reaches the community")
    func emergencyFromIntegrator() async throws {
        // The 12345 hotline, recorded at issue-cert for the street.
        let hotline = try AccessGrant(identity: "knock://integrator/hotline", role: "integrator", scope: "street:gongrencun")
        try await CommunityFixture.with(builtIns: [UrgentKnock()], grants: [hotline]) { street in
            let hotline = try await street.connect(.integrator, "hotline")
            let staff = try await street.connect(.member, "m-2")
            defer { hotline.close(); staff.close() }
            var request = UrgentKnockRaiseEmergencyRequest()
            request.id = "12345-0001"
            request.residentID = "r-2"
            request.startAt = .secretary
            request.summary = "邻居报告家中传出呼救声"
            let opened = try await hotline.call(UrgentKnock.raiseEmergency, request)
            #expect(opened.openedBy == "integrator:hotline")
            #expect(opened.steps.map(\.assignee) == ["role:staff"])
            let alerts = try await staff.call(CommunityMethods.listAlerts, CommunityListAlertsRequest()).alerts
            let alert = try #require(alerts.first { $0.residentID == "r-2" })
            #expect(alert.urgency == .critical)
            #expect(alert.message.contains("邻居报告家中传出呼救声"))
            // A retry opens nothing new; an unknown resident is refused.
            #expect(try await hotline.call(UrgentKnock.raiseEmergency, request) == opened)
            request.id = "12345-0002"
            request.residentID = "r-404"
            #expect(await code { try await hotline.call(UrgentKnock.raiseEmergency, request) } == .notFound)
            // Staff reach the resident: the case closes.
            var acknowledge = UrgentKnockAcknowledgeRequest()
            acknowledge.caseID = opened.id
            acknowledge.step = .secretary
            acknowledge.outcome = .reached
            acknowledge.note = "上门查看，老人在家摔倒后已自行起身，无大碍"
            #expect(try await staff.call(UrgentKnock.acknowledge, acknowledge).status == .closed)
            #expect(try await staff.call(CommunityMethods.listAlerts, CommunityListAlertsRequest()).alerts.allSatisfy { !$0.acknowledgedBy.isEmpty })
        }
    }
}
