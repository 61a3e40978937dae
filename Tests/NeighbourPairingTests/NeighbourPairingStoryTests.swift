import Foundation
import KnockModuleKit
import KnockTestSupport
import NeighbourPairing
import Testing

/// neighbour-pairing inside a real host: members call it over mutual TLS, its check-ins are
/// recorded through the host as knocks, and its plan reaches the members' day.
@Suite("Neighbour pairing in the host")
struct NeighbourPairingStoryTests {
    @Test("an elder living alone is found unpaired on a visit, paired with her neighbour, whose check-in counts as a knock; a lapsed pair gets a knock in the plan")
    func story() async throws {
        try await CommunityFixture.with(builtIns: [NeighbourPairing()]) { street in
            let volunteer = try await street.connect(.member, "m-1")
            let staff = try await street.connect(.member, "m-2")
            let outsider = try await street.connect(.member, "m-3")
            defer { volunteer.close(); staff.close(); outsider.close() }

            // A visit to 张秀英 (88, living alone): she has no pair, so a pairing need is raised.
            let visit = try await volunteer.call(CommunityMethods.recordVisit, CommunityFixture.visit("v-1", resident: "r-1"))
            #expect(visit.raised.map(\.suggestion.raiseNeed.category) == ["pairing"])
            #expect(visit.raised.map(\.outcome) == [.applied])
            let unpaired = try await staff.call(NeighbourPairing.listUnpaired, NeighbourPairingListUnpairedRequest())
            #expect(unpaired.elders.map(\.residentID) == ["r-1"])

            // Paired with her neighbour 刘建国 (r-2); a member of another community may not.
            var request = NeighbourPairingPairRequest()
            request.id = "p-1"
            request.elderResidentID = "r-1"
            request.partnerResidentID = "r-2"
            request.at = .init(date: CommunityFixture.morning)
            let refused = try await #require(throws: RPCError.self) { try await outsider.call(NeighbourPairing.pair, request) }
            #expect(refused.code == .permissionDenied)
            let pair = try await staff.call(NeighbourPairing.pair, request)
            #expect(pair.partnerName == "刘建国")
            // The pairing need is resolved by the pairing, assigned to the member who made it.
            let pairingNeed = try #require(visit.raised.first?.recordID)
            #expect(pair.resolvedNeedIds == [pairingNeed])
            let need = try await staff.call(CommunityMethods.getNeed, CommunityGetNeedRequest.with { $0.id = pairingNeed })
            #expect(need.status == .resolved)
            #expect(need.owner == "member:m-2")
            #expect(need.history.last?.note.contains("刘建国") == true)
            #expect(try await staff.call(NeighbourPairing.listUnpaired, NeighbourPairingListUnpairedRequest()).elders.isEmpty)
            // A child is not an elder to pair (even for the administrator); staff of another
            // community may not pair him at all.
            var child = request
            child.id = "p-2"
            child.elderResidentID = "r-3"
            let administrator = try await street.connect(.administrator, "admin")
            defer { administrator.close() }
            let notEligible = try await #require(throws: RPCError.self) { try await administrator.call(NeighbourPairing.pair, child) }
            #expect(notEligible.code == .failedPrecondition)
            let notTheirs = try await #require(throws: RPCError.self) { try await staff.call(NeighbourPairing.pair, child) }
            #expect(notTheirs.code == .permissionDenied)

            // The neighbour checks in two days later: a door visit to r-1 is stored, and her
            // key-person entry shows the knock.
            var checkIn = NeighbourPairingCheckInRequest()
            checkIn.id = "c-1"
            checkIn.pairID = pair.id
            checkIn.at = .init(date: CommunityFixture.morning.addingTimeInterval(2 * 86_400))
            checkIn.observations = "一切安好"
            let checked = try await volunteer.call(NeighbourPairing.checkIn, checkIn)
            #expect(!checked.duplicate)
            #expect(checked.visit.id == "neighbour-pairing:c-1")
            #expect(checked.visit.memberID == "module:neighbour-pairing")
            #expect(checked.visit.householdID == "h-1")
            #expect(checked.pair.checkIns == 1)
            #expect(try await volunteer.call(NeighbourPairing.checkIn, checkIn).duplicate)
            let keyPersons = try await staff.call(CommunityMethods.listKeyPersons, CommunityListKeyPersonsRequest())
            let elder = try #require(keyPersons.keyPersons.first { $0.residentID == "r-1" })
            #expect(elder.lastKnockAt == checkIn.at)

            // Nine days after the check-in the pair has lapsed (7 days): listed so, and the
            // day's plan has a knock for her from neighbour-pairing.
            var list = NeighbourPairingListPairsRequest()
            list.asOf = .init(date: CommunityFixture.morning.addingTimeInterval(11 * 86_400))
            let pairs = try await staff.call(NeighbourPairing.listPairs, list)
            #expect(pairs.pairs.map(\.lapsed) == [true])
            #expect(pairs.pairs.first?.daysSinceCheckIn == 9)
            var planRequest = CommunityGetPlanRequest()
            planRequest.date = "2026-12-10"
            let plan = try await staff.call(CommunityMethods.getPlan, planRequest)
            let knocks = plan.plans.flatMap(\.knocks) + plan.unassigned
            let knock = try #require(knocks.first { $0.residentID == "r-1" })
            #expect(knock.reasons.contains { $0.suggestedBy == "module:neighbour-pairing" && $0.why.contains("刘建国") })
            planRequest.date = "2026-12-07"
            let early = try await staff.call(CommunityMethods.getPlan, planRequest)
            #expect(!(early.plans.flatMap(\.knocks) + early.unassigned).contains { $0.reasons.contains { $0.suggestedBy == "module:neighbour-pairing" } })

            // A care task, done by the neighbour's helper.
            var task = NeighbourPairingAddTaskRequest()
            task.id = "t-1"
            task.pairID = pair.id
            task.kind = .medicine
            task.due = .init(date: CommunityFixture.morning.addingTimeInterval(86_400))
            task.note = "降压药"
            _ = try await staff.call(NeighbourPairing.addTask, task)
            var complete = NeighbourPairingCompleteTaskRequest()
            complete.taskID = "t-1"
            #expect(try await volunteer.call(NeighbourPairing.completeTask, complete).done)
            var tasks = NeighbourPairingListTasksRequest()
            tasks.elderResidentID = "r-1"
            tasks.openOnly = true
            #expect(try await staff.call(NeighbourPairing.listTasks, tasks).tasks.isEmpty)
        }
    }
}
