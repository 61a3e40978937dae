import DailyKnock
import Foundation
import KnockHost
import KnockModuleKit
import KnockTestSupport
import SwiftProtobuf
import Testing

/// 每天敲 inside a real host: visits flag key persons, the day's plan carries its knocks, the
/// end of the day raises an alert for a daily key person not reached.
@Suite("每天敲 in a host")
struct DailyKnockStoryTests {
    @Test("visits put residents on the key-persons list by the rules; the plan knocks on each due key person; a daily one not reached by 20:00 raises one alert")
    func keyGroupsDaily() async throws {
        let policy = HostModuleService.Policy(configuration: { $0 == "daily-knock" ? ["rule.empty-nest": "7"] : [:] })
        try await CommunityFixture.with(builtIns: [DailyKnock()], policy: policy) { street in
            let volunteer = try await street.connect(.member, "m-1")
            let staff = try await street.connect(.member, "m-2")
            let elsewhere = try await street.connect(.member, "m-3")
            let admin = try await street.connect(.administrator, "admin")
            defer { volunteer.close(); staff.close(); elsewhere.close(); admin.close() }

            // 刘建国 (r-2, empty nest) is met: the configured rule puts him on the list weekly.
            let met = try await staff.call(CommunityMethods.recordVisit, CommunityFixture.visit("v-1", resident: "r-2"))
            let flag = try #require(met.raised.first { $0.suggestion.suggestedBy == "daily-knock" })
            #expect(flag.outcome == .applied)
            #expect(flag.suggestion.flagKeyPerson.reason == "每天敲: 空巢 empty-nest, every 7 days")
            // 张秀英 (r-1, 88, living alone) does not answer: flagged daily by the rule, still not reached.
            let noAnswer = try await volunteer.call(CommunityMethods.recordVisit, CommunityFixture.visit("v-2", resident: "r-1", outcome: .noAnswer))
            #expect(noAnswer.raised.map(\.suggestion.flagKeyPerson.reason) == ["每天敲: 独居高龄 living alone, 80 or over"])
            #expect(noAnswer.raised.map(\.outcome) == [.applied])

            let list = try await staff.call(CommunityMethods.listKeyPersons, CommunityListKeyPersonsRequest()).keyPersons
            let weekly = try #require(list.first { $0.residentID == "r-2" })
            #expect(weekly.cadenceDays == 7)
            #expect(weekly.reasons.map(\.reason) == ["每天敲: 空巢 empty-nest, every 7 days"])
            #expect(weekly.reasons.first?.flaggedBy == "module:daily-knock")

            // The day's plan: r-1 is due (not reached), once, the host's key-person knock giving
            // 每天敲's reason; r-2 was met today.
            var planRequest = CommunityGetPlanRequest()
            planRequest.date = "2026-11-30"
            let plan = try await staff.call(CommunityMethods.getPlan, planRequest)
            let items = plan.plans.flatMap(\.knocks) + plan.unassigned
            let r1 = try #require(items.first { $0.residentID == "r-1" })
            #expect(items.filter { $0.residentID == "r-1" }.count == 1)
            // The fixture already listed r-1 (独居高龄); 每天敲's rule added its reason.
            #expect(r1.reasons.map(\.why) == ["重点人员 每1天：独居高龄、每天敲: 独居高龄 living alone, 80 or over"])
            #expect(r1.reasons.map(\.suggestedBy) == ["host"])
            #expect(r1.priority == 80)
            #expect(!items.contains { $0.residentID == "r-2" })
            #expect(plan.problems.isEmpty)

            // 19:59 nothing; 20:00 one alert for r-1; later ticks raise nothing more.
            let evening = CommunityFixture.morning.addingTimeInterval(10 * 3_600)
            #expect(try await street.served.service.tick(community: "qinghe", at: evening.addingTimeInterval(-60)).raised.isEmpty)
            let tick = try await street.served.service.tick(community: "qinghe", at: evening)
            #expect(tick.raised.map(\.outcome) == [.applied])
            #expect(tick.raised.first?.suggestion.raiseAlert.residentID == "r-1")
            #expect(tick.failures.isEmpty)
            #expect(try await street.served.service.tick(community: "qinghe", at: evening.addingTimeInterval(300)).raised.isEmpty)
            let alerts = try await staff.call(CommunityMethods.listAlerts, CommunityListAlertsRequest()).alerts
            #expect(alerts.map(\.message) == ["每天敲: 张秀英 (r-1), a daily key person, was not reached on 2026-11-30 by 20:00"])
            #expect(alerts.first?.raisedBy == "module:daily-knock")

            // Staff see why r-1 is on the list; others cannot look into another community.
            var evaluate = DailyKnockEvaluateRequest()
            evaluate.residentID = "r-1"
            let why = try await volunteer.call(DailyKnock.evaluate, evaluate)
            #expect(why.cadenceDays == 1)
            #expect(why.findings.filter(\.applies).map(\.rule.id) == ["alone-80"])
            #expect(await code { try await elsewhere.call(DailyKnock.evaluate, evaluate) } == .notFound)
            evaluate.residentID = "r-404"
            #expect(await code { try await staff.call(DailyKnock.evaluate, evaluate) } == .notFound)
            var explain = DailyKnockExplainRulesRequest()
            explain.communityID = "qinghe"
            #expect(try await admin.call(DailyKnock.explainRules, explain).rules.map(\.id) == ["alone-80", "discharged", "disabled-alone", "tag:empty-nest"])
            #expect(await code { try await elsewhere.call(DailyKnock.explainRules, explain) } == .permissionDenied)
        }
    }
}
