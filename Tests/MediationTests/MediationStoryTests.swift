import Foundation
import KnockModuleKit
import KnockTestSupport
import Mediation
import SwiftProtobuf
import Testing

/// 顺顺吧 inside a real host: a visit note becomes a case, mediated over mutual TLS by staff,
/// with the need on the resident-needs list following the case.
@Suite("顺顺吧 in a host")
struct MediationStoryTests {
    @Test("a visit note about a quarrel over a blocked stairwell becomes a 顺顺吧 case, mediated to an agreement, followed up (broken once, then holding), the need following the case")
    func blockedStairwell() async throws {
        try await CommunityFixture.with(builtIns: [Mediation()]) { street in
            let volunteer = try await street.connect(.member, "m-1")
            let staff = try await street.connect(.member, "m-2")
            let elsewhere = try await street.connect(.member, "m-3")
            defer { volunteer.close(); staff.close(); elsewhere.close() }

            // m-2 visits 刘建国 (r-2) and notes the quarrel.
            var visit = CommunityFixture.visit("v-1", resident: "r-2")
            visit.visit.observations = "与邻居因楼道堆物堵塞吵架"
            let recorded = try await staff.call(CommunityMethods.recordVisit, visit)
            let raised = try #require(recorded.raised.first { $0.suggestion.suggestedBy == "mediation" })
            #expect(raised.outcome == .applied)
            #expect(raised.suggestion.raiseNeed.category == "mediation")
            var needsRequest = CommunityListNeedsRequest()
            needsRequest.category = "mediation"
            let need = try #require(try await staff.call(CommunityMethods.listNeeds, needsRequest).needs.first)
            #expect(need.id == raised.recordID)
            #expect(need.owner == "module:mediation")
            #expect(need.status == .assigned)

            // The proposal is opened as a case.
            let proposals = try await staff.call(Mediation.listProposals, MediationListProposalsRequest()).proposals
            #expect(proposals.map(\.id) == ["visit-v-1"])
            #expect(proposals.first?.words == ["吵架", "堵"])
            var open = MediationOpenCaseRequest()
            open.proposalID = "visit-v-1"
            let opened = try await staff.call(Mediation.openCase, open)
            #expect(opened.kind == .neighbour)
            #expect(opened.needID == need.id)
            #expect(opened.openedBy == "member:m-2")
            var getNeed = CommunityGetNeedRequest()
            getNeed.id = need.id
            #expect(try await staff.call(CommunityMethods.getNeed, getNeed).status == .inProgress)

            // Parties, and each party's statement, recorded by staff.
            for (name, role, resident) in [("刘建国", "501住户", "r-2"), ("周涛", "502住户，楼道堆放杂物", "")] {
                var party = MediationAddPartyRequest()
                party.caseID = opened.id
                party.name = name
                party.role = role
                party.residentID = resident
                _ = try await staff.call(Mediation.addParty, party)
            }
            for (party, text) in [("p-1", "502家的旧家具堆了半年，消防通道都堵了"), ("p-2", "东西过几天就搬走，他天天骂人")] {
                var statement = MediationRecordStatementRequest()
                statement.caseID = opened.id
                statement.partyID = party
                statement.text = text
                _ = try await staff.call(Mediation.recordStatement, statement)
            }
            var stranger = MediationAddPartyRequest()
            stranger.caseID = opened.id
            stranger.name = "陈小明"
            stranger.residentID = "r-3"  // of 青宜居, not this community
            #expect(await code { try await staff.call(Mediation.addParty, stranger) } == .notFound)
            stranger.residentID = "r-404"
            #expect(await code { try await staff.call(Mediation.addParty, stranger) } == .notFound)
            var statement = MediationRecordStatementRequest()
            statement.caseID = opened.id
            statement.partyID = "p-1"
            statement.text = "补充"
            #expect(await code { try await volunteer.call(Mediation.recordStatement, statement) } == .permissionDenied)

            // The volunteer sees the case but not the statements; another community's member sees nothing.
            var get = MediationGetCaseRequest()
            get.id = opened.id
            let asVolunteer = try await volunteer.call(Mediation.getCase, get)
            #expect(asVolunteer.statements.isEmpty)
            #expect(asVolunteer.statementsWithheld == 2)
            #expect(asVolunteer.withheldNote.contains("mediators only"))
            #expect(asVolunteer.parties.map(\.name) == ["刘建国", "周涛"])
            #expect(try await staff.call(Mediation.getCase, get).statements.map(\.partyID) == ["p-1", "p-2"])
            // Every showing of the statements is in the host's audit log: the mediator read 刘建国's
            // statement (周涛 is not a resident); the volunteer's view, without them, is not a read.
            let admin = try await street.connect(.administrator, "admin")
            defer { admin.close() }
            var audit = CommunityListAuditRequest()
            audit.residentID = "r-2"
            let reads = try await admin.call(CommunityMethods.listAudit, audit).entries.filter { $0.action == "mediation.statements.read" }
            #expect(!reads.isEmpty)
            #expect(reads.allSatisfy { $0.by == "member:m-2" && $0.via == "mediation" && $0.residentIds == ["r-2"] })
            #expect(await code { try await elsewhere.call(Mediation.getCase, get) } == .notFound)
            #expect(await code { try await staff.call(Mediation.getCase, MediationGetCaseRequest()) } == .invalidArgument)

            // A session, then the agreement: the need is resolved.
            var session = MediationRecordSessionRequest()
            session.caseID = opened.id
            session.place = "顺顺吧"
            session.partyIds = ["p-1", "p-2"]
            session.summary = "双方到场，讲清消防通道的规定"
            #expect(try await staff.call(Mediation.recordSession, session).status == .mediating)
            var agreement = MediationRecordAgreementRequest()
            agreement.caseID = opened.id
            agreement.terms = "502 三日内清走楼道杂物；501 不再辱骂；社区一周后回访"
            agreement.partyIds = ["p-1", "p-2"]
            agreement.followUpOn = "2026-12-06"
            #expect(try await staff.call(Mediation.recordAgreement, agreement).status == .agreed)
            #expect(try await staff.call(CommunityMethods.getNeed, getNeed).status == .resolved)
            #expect(await code { try await staff.call(Mediation.recordAgreement, agreement) } == .failedPrecondition)

            // The first follow-up finds the stairwell blocked again: the case and the need reopen.
            var follow = MediationFollowUpRequest()
            follow.caseID = opened.id
            follow.result = .broken
            follow.note = "杂物只搬走一半"
            let reopened = try await staff.call(Mediation.followUp, follow)
            #expect(reopened.status == .open)
            #expect(reopened.pastAgreements.count == 1)
            #expect(try await staff.call(CommunityMethods.getNeed, getNeed).status == .inProgress)
            session.summary = "第二次调解，约定由社区协助清运"
            _ = try await staff.call(Mediation.recordSession, session)
            agreement.terms = "社区周六派车清运；502 不再堆放"
            _ = try await staff.call(Mediation.recordAgreement, agreement)
            #expect(try await staff.call(CommunityMethods.getNeed, getNeed).status == .resolved)

            // The next follow-up finds it holding: the case closes, the need is followed up.
            follow.result = .holding
            follow.note = "楼道已清空，双方见面打招呼"
            follow.satisfaction = 5
            #expect(await code { try await volunteer.call(Mediation.followUp, follow) } == .permissionDenied)
            let held = try await staff.call(Mediation.followUp, follow)
            #expect(held.status == .held)
            #expect(held.history.map(\.what) == [
                "opened from proposal visit-v-1", "party p-1 added: 刘建国 (501住户)", "party p-2 added: 周涛 (502住户，楼道堆放杂物)",
                "statement s-1 of p-1 recorded", "statement s-2 of p-2 recorded", "session-1 recorded",
                "agreement recorded, follow up on 2026-12-06", "follow-up: the agreement is broken; case reopened",
                "session-2 recorded", "agreement recorded, follow up on 2026-12-06", "follow-up: the agreement holds",
            ])
            let closedNeed = try await staff.call(CommunityMethods.getNeed, getNeed)
            #expect(closedNeed.status == .followedUp)
            #expect(closedNeed.satisfaction == 5)
            var list = MediationListCasesRequest()
            list.status = .held
            #expect(try await volunteer.call(Mediation.listCases, list).cases.map(\.id) == [opened.id])
        }
    }
}
