import Foundation
import KnockModuleKit
import KnockTestSupport
import Logging
import SwiftProtobuf
import Testing
@testable import Mediation

/// 顺顺吧 without a host: spotting, the case lifecycle, who sees the statements, refusals.
@Suite("顺顺吧 cases")
struct MediationTests {
    /// 2026-11-30 10:00 in Wuhan (``SmallStreet/morning``).
    static let morning = Date(timeIntervalSince1970: 1_796_004_000)

    static let volunteer = ModuleCaller(identity: "knock://member/m-1", roles: ["volunteer"], communityID: "qinghe")
    static let staff = ModuleCaller(identity: "knock://member/m-2", roles: ["staff"], communityID: "qinghe")
    static let outsider = ModuleCaller(identity: "knock://member/m-3", roles: ["partyMember"], communityID: "qingyi")
    static let listed = ModuleCaller(identity: "knock://member/m-7", roles: ["residentBackbone"], communityID: "qinghe")
    static let admin = ModuleCaller(identity: "knock://admin/chen")

    struct Bench {
        let module = Mediation()
        let store = MemoryModuleStore()
        let clock = ManualClock(MediationTests.morning)
        var configuration: [String: String] = [:]

        var context: ModuleContext {
            ModuleContext(moduleID: "mediation", logger: Logger(label: "test.mediation"), clock: clock, configuration: configuration, store: store)
        }
        var desk: MediationDesk { MediationDesk(context: context) }

        func visit(_ id: String, observations: String, requests: [String] = []) async throws -> [ModuleSuggestion] {
            var request = ModuleAssessRequest()
            request.visit.id = id
            request.visit.memberID = "m-1"
            request.visit.residentID = "r-2"
            request.visit.outcome = .met
            request.visit.channel = .door
            request.visit.at = Google_Protobuf_Timestamp(date: MediationTests.morning)
            request.visit.observations = observations
            request.visit.requests = requests
            request.resident.id = "r-2"
            request.resident.communityID = "qinghe"
            request.communityID = "qinghe"
            return try await module.assess(request, context: context)
        }

        /// A fresh neighbour case with two parties.
        func openWithParties() async throws -> MediationCase {
            var open = MediationOpenCaseRequest()
            open.id = "c-1"
            open.kind = .neighbour
            open.summary = "楼上漏水"
            _ = try await desk.openCase(open, caller: MediationTests.staff)
            for (name, role) in [("刘建国", "302住户"), ("孙丽", "402住户")] {
                var party = MediationAddPartyRequest()
                party.caseID = "case-c-1"
                party.name = name
                party.role = role
                _ = try await desk.addParty(party, caller: MediationTests.volunteer)
            }
            return try #require(try await CaseFile(store: store).findCase("case-c-1")).value
        }
    }

    @Test("dispute words in observations or requests are spotted, with the kind guessed; other notes are not")
    func spotting() throws {
        let spotter = DisputeSpotter(words: try MediationSettings(["words": "霸占"]).words)
        var visit = CommunityVisit()
        visit.observations = "与邻居因楼道堆物堵塞吵架"
        #expect(spotter.spot(visit) == .init(words: ["吵架", "堵"], excerpt: "与邻居因楼道堆物堵塞吵架", kind: .neighbour))
        visit.observations = "精神不错"
        visit.requests = ["The upstairs flat has a LEAK", "希望送餐"]
        #expect(spotter.spot(visit)?.words == ["leak"])
        #expect(spotter.spot(visit)?.kind == .other)
        visit.requests = ["儿子不给赡养费，家里矛盾很大"]
        #expect(spotter.spot(visit)?.kind == .family)
        visit.requests = ["物业停车位被霸占"]
        #expect(spotter.spot(visit)?.words == ["霸占"])
        #expect(spotter.spot(visit)?.kind == .property)
        visit.observations = "精神不错，家里很整洁"
        visit.opinions = "邻居吵架"  // opinions are not read
        visit.requests = ["希望送餐上门"]
        #expect(spotter.spot(visit) == nil)
    }

    @Test("bad settings name the key", arguments: [
        (["mediators": "m-2,,m-7"], "mediators: '' is not a member id"),
        (["words": "吵,"], "words: an empty word"),
        (["mediator": "m-2"], "mediator: unknown key"),
    ])
    func badSettings(configuration: [String: String], detail: String) throws {
        let error = try #require(throws: RPCError.self) { try MediationSettings(configuration) }
        #expect(error.code == .failedPrecondition)
        #expect(error.message.contains(detail))
    }

    @Test("a spotted dispute records a proposal once and suggests a mediation need owned by 顺顺吧")
    func proposal() async throws {
        let bench = Bench()
        let suggestions = try await bench.visit("v-1", observations: "与邻居因楼道堆物堵塞吵架")
        let need = try #require(suggestions.first?.raiseNeed)
        #expect(need.category == "mediation")
        #expect(need.ownerModule == "mediation")
        #expect(need.residentID == "r-2")
        #expect(need.summary.contains("proposal visit-v-1"))
        #expect(try await bench.visit("v-1", observations: "与邻居因楼道堆物堵塞吵架").isEmpty)
        #expect(try await bench.visit("v-2", observations: "一切正常").isEmpty)
        let long = String(repeating: "x", count: 128)
        #expect(try await bench.visit(long, observations: "噪音扰民").count == 1)
        #expect(try await CaseFile(store: bench.store).findProposal(Mediation.proposalID(visit: long))?.value.visitID == long)
        let proposals = try await bench.desk.listProposals(MediationListProposalsRequest(), caller: Self.volunteer).proposals
        #expect(Set(proposals.map(\.id)) == ["visit-v-1", Mediation.proposalID(visit: long)])
        #expect(proposals.first { $0.id == "visit-v-1" }?.kind == .neighbour)
        #expect(await code { try await bench.desk.listProposals(MediationListProposalsRequest(), caller: ModuleCaller(identity: "knock://integrator/x")) } == .permissionDenied)

        // Opened from the proposal: the proposal's id, kind and notes; a retry answers the same case.
        var open = MediationOpenCaseRequest()
        open.proposalID = "visit-v-1"
        let opened = try await bench.desk.openCase(open, caller: Self.volunteer)
        #expect(opened.id == "visit-v-1")
        #expect(opened.kind == .neighbour)
        #expect(opened.summary == "与邻居因楼道堆物堵塞吵架")
        #expect(opened.status == .open)
        #expect(opened.history.map(\.what) == ["opened from proposal visit-v-1"])
        #expect(try await bench.desk.openCase(open, caller: Self.volunteer) == opened)
        #expect(try await bench.desk.listProposals(MediationListProposalsRequest(), caller: Self.volunteer).proposals.map(\.visitID) == [long])
        #expect(await code { try await bench.desk.openCase(open, caller: Self.outsider) } == .notFound)
    }

    @Test("open → parties → statements → session → agreement → follow-up holding; broken reopens")
    func lifecycle() async throws {
        let bench = Bench()
        _ = try await bench.openWithParties()
        var statement = MediationRecordStatementRequest()
        statement.caseID = "case-c-1"
        statement.partyID = "p-1"
        statement.text = "楼上漏水三个月了，找过两次没人管"
        // Agreement before any session.
        var agreement = MediationRecordAgreementRequest()
        agreement.caseID = "case-c-1"
        agreement.terms = "402 一周内请人修好防水，302 的墙面由 402 出钱粉刷"
        agreement.partyIds = ["p-1", "p-2"]
        agreement.followUpOn = "2026-12-13"
        #expect(await code { try await bench.desk.recordAgreement(agreement, caller: Self.staff) } == .failedPrecondition)
        // Follow-up before an agreement.
        var follow = MediationFollowUpRequest()
        follow.caseID = "case-c-1"
        follow.result = .holding
        follow.note = "已修好"
        #expect(await code { try await bench.desk.followUp(follow, caller: Self.staff) } == .failedPrecondition)

        _ = try await bench.desk.recordStatement(statement, caller: Self.staff)
        statement.partyID = "p-2"
        statement.text = "我家也不知道哪里漏"
        _ = try await bench.desk.recordStatement(statement, caller: Self.staff)
        var session = MediationRecordSessionRequest()
        session.caseID = "case-c-1"
        session.place = "顺顺吧调解室"
        session.partyIds = ["p-1", "p-2"]
        session.summary = "双方到场，查看漏水位置"
        let mediating = try await bench.desk.recordSession(session, caller: Self.staff)
        #expect(mediating.status == .mediating)
        #expect(mediating.sessions.map(\.id) == ["session-1"])
        let agreed = try await bench.desk.recordAgreement(agreement, caller: Self.staff)
        #expect(agreed.status == .agreed)
        #expect(agreed.agreement.followUpOn == "2026-12-13")
        // Once agreed: no more parties or sessions.
        var party = MediationAddPartyRequest()
        party.caseID = "case-c-1"
        party.name = "物业"
        #expect(await code { try await bench.desk.addParty(party, caller: Self.staff) } == .failedPrecondition)
        #expect(await code { try await bench.desk.recordSession(session, caller: Self.staff) } == .failedPrecondition)

        follow.result = .broken
        follow.note = "402 没有修，又漏了"
        let reopened = try await bench.desk.followUp(follow, caller: Self.staff)
        #expect(reopened.status == .open)
        #expect(reopened.pastAgreements.map(\.terms) == [agreement.terms])
        #expect(!reopened.hasAgreement)
        _ = try await bench.desk.recordSession(session, caller: Self.staff)
        _ = try await bench.desk.recordAgreement(agreement, caller: Self.staff)
        follow.result = .holding
        follow.note = "防水已做好，墙面已刷"
        let held = try await bench.desk.followUp(follow, caller: Self.staff)
        #expect(held.status == .held)
        #expect(held.followUps.map(\.result) == [.broken, .holding])
        #expect(held.history.map(\.what).last == "follow-up: the agreement holds")
        #expect(held.history.allSatisfy { $0.by.hasPrefix("member:") })
    }

    @Test("statements are for mediators: staff, listed mediators and administrators see them; other members get a note; they cannot record any")
    func statementsForMediators() async throws {
        var bench = Bench()
        bench.configuration = ["mediators": "m-7"]
        _ = try await bench.openWithParties()
        var statement = MediationRecordStatementRequest()
        statement.caseID = "case-c-1"
        statement.partyID = "p-1"
        statement.text = "对方半夜装修，噪音很大"
        #expect(await code { try await bench.desk.recordStatement(statement, caller: Self.volunteer) } == .permissionDenied)
        _ = try await bench.desk.recordStatement(statement, caller: Self.listed)
        var get = MediationGetCaseRequest()
        get.id = "case-c-1"
        for caller in [Self.staff, Self.listed, Self.admin] {
            let seen = try await bench.desk.getCase(get, caller: caller)
            #expect(seen.statements.map(\.text) == ["对方半夜装修，噪音很大"])
            #expect(seen.statementsWithheld == 0)
        }
        let withheld = try await bench.desk.getCase(get, caller: Self.volunteer)
        #expect(withheld.statements.isEmpty)
        #expect(withheld.statementsWithheld == 1)
        #expect(withheld.withheldNote.contains("mediators only"))
        #expect(withheld.parties.count == 2)
        #expect(try await bench.desk.listCases(MediationListCasesRequest(), caller: Self.volunteer).cases.first?.statements.isEmpty == true)
        #expect(await code { try await bench.desk.getCase(get, caller: Self.outsider) } == .notFound)
    }

    @Test("the descriptor names 顺顺吧, its nine methods and what it asks of the host, and embeds its schemas")
    func descriptor() throws {
        let descriptor = Mediation().descriptor
        #expect(descriptor.id == "mediation")
        #expect(descriptor.nameZh == "顺顺吧")
        #expect(descriptor.assessesVisits)
        #expect(!descriptor.plansDays)
        #expect(Set(descriptor.permissions) == ["needs.read", "needs.write", "residents.read", "audit.write"])
        #expect(descriptor.methods.count == 9)
        #expect(descriptor.methods.allSatisfy { $0.name.hasPrefix("mediation.") })
        #expect(!descriptor.fileDescriptorSet.isEmpty)
        try descriptor.validate()
    }

    @Test("bad requests are refused and change nothing")
    func refusals() async throws {
        let bench = Bench()
        let before = try await bench.openWithParties()
        var open = MediationOpenCaseRequest()
        open.summary = "吵架"
        #expect(await code { try await bench.desk.openCase(open, caller: Self.staff) } == .invalidArgument)  // no kind
        open.kind = .neighbour
        open.summary = " "
        #expect(await code { try await bench.desk.openCase(open, caller: Self.staff) } == .invalidArgument)
        open.summary = "吵架"
        #expect(await code { try await bench.desk.openCase(open, caller: Self.admin) } == .invalidArgument)  // no community
        open.communityID = "qingyi"
        #expect(await code { try await bench.desk.openCase(open, caller: Self.staff) } == .permissionDenied)
        open.communityID = ""
        open.id = "c-1"
        #expect(await code { try await bench.desk.openCase(open, caller: Self.staff) } == .alreadyExists)
        open.proposalID = "visit-404"
        #expect(await code { try await bench.desk.openCase(open, caller: Self.staff) } == .notFound)

        var party = MediationAddPartyRequest()
        party.caseID = "case-c-1"
        party.name = "刘建国"
        #expect(await code { try await bench.desk.addParty(party, caller: Self.staff) } == .alreadyExists)
        party.name = ""
        #expect(await code { try await bench.desk.addParty(party, caller: Self.staff) } == .invalidArgument)
        var statement = MediationRecordStatementRequest()
        statement.caseID = "case-c-1"
        statement.partyID = "p-9"
        statement.text = "……"
        #expect(await code { try await bench.desk.recordStatement(statement, caller: Self.staff) } == .invalidArgument)
        statement.caseID = "case-404"
        #expect(await code { try await bench.desk.recordStatement(statement, caller: Self.staff) } == .notFound)
        var session = MediationRecordSessionRequest()
        session.caseID = "case-c-1"
        session.summary = "调解"
        #expect(await code { try await bench.desk.recordSession(session, caller: Self.staff) } == .invalidArgument)  // nobody present
        session.partyIds = ["p-1", "p-1"]
        #expect(await code { try await bench.desk.recordSession(session, caller: Self.staff) } == .invalidArgument)
        session.partyIds = ["p-1"]
        session.heldAt = Google_Protobuf_Timestamp(date: Self.morning.addingTimeInterval(86_400))
        #expect(await code { try await bench.desk.recordSession(session, caller: Self.staff) } == .invalidArgument)  // ahead
        var agreement = MediationRecordAgreementRequest()
        agreement.caseID = "case-c-1"
        agreement.terms = "和解"
        agreement.partyIds = ["p-1"]
        agreement.followUpOn = "2026-13-01"
        #expect(await code { try await bench.desk.recordAgreement(agreement, caller: Self.staff) } == .invalidArgument)
        var follow = MediationFollowUpRequest()
        follow.caseID = "case-c-1"
        follow.note = "回访"
        #expect(await code { try await bench.desk.followUp(follow, caller: Self.staff) } == .invalidArgument)  // no result

        #expect(try #require(try await CaseFile(store: bench.store).findCase("case-c-1")).value == before)
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
