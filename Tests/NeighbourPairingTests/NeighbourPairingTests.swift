import Foundation
import KnockModuleKit
import KnockTestSupport
import Testing
@testable import NeighbourPairing

/// neighbour-pairing's rules with a hand-built context: a scripted host, a memory store, a fixed clock.
@Suite("Neighbour pairing (邻里结亲法)")
struct NeighbourPairingTests {
    typealias World = PairingWorld

    @Test("the descriptor is valid, names every method and embeds their schemas for knock call")
    func descriptor() throws {
        let descriptor = NeighbourPairing().descriptor
        try descriptor.validate()
        #expect(descriptor.id == "neighbour-pairing")
        #expect(descriptor.permissions == ["visits.write", "residents.read", "needs.read", "needs.write"])
        #expect(!descriptor.fileDescriptorSet.isEmpty)
        #expect(descriptor.methods.allSatisfy { $0.name.hasPrefix("neighbour-pairing.") })
    }

    @Test("an eligible elder is paired with a neighbour; a retry pairs once; a second active pair with the same partner is refused")
    func pairWithNeighbour() async throws {
        let world = World()
        let pair = try await world.office.pair(World.pairing("r-1", neighbour: "r-2", id: "p-1"), by: World.staff)
        #expect(pair.id == "p-1")
        #expect(pair.active)
        #expect(pair.elderName == "张秀英")
        #expect(pair.partnerResidentID == "r-2")
        #expect(pair.partnerName == "刘建国")
        #expect(pair.communityID == "qinghe")
        #expect(pair.pairedBy == "member:m-2")

        let retry = try await world.office.pair(World.pairing("r-1", neighbour: "r-2", id: "p-1"), by: World.staff)
        #expect(retry == pair)

        let duplicate = try await #require(throws: RPCError.self) {
            try await world.office.pair(World.pairing("r-1", neighbour: "r-2", id: "p-2"), by: World.staff)
        }
        #expect(duplicate.code == .alreadyExists)
        #expect(duplicate.message.contains("already paired with neighbour 刘建国 (r-2)"))

        let taken = try await #require(throws: RPCError.self) {
            try await world.office.pair(World.pairing("r-2", neighbour: "r-1", id: "p-1"), by: World.staff)
        }
        #expect(taken.code == .alreadyExists)
        let listed = try await world.office.listPairs(NeighbourPairingListPairsRequest(), by: World.staff)
        #expect(listed.pairs.map(\.id) == ["p-1"])
    }

    @Test("pairing refuses an elder who is not eligible, unknown residents, a partner of another community and malformed requests, and writes nothing")
    func pairRefusals() async throws {
        let world = World()
        let cases: [(NeighbourPairingPairRequest, StatusCode, String)] = [
            (World.pairing("r-5", neighbour: "r-2"), .failedPrecondition, "is not living alone, empty-nest or of advanced age"),
            (World.pairing("r-9", neighbour: "r-2"), .notFound, "the elder r-9 is not a known resident"),
            (World.pairing("r-1", neighbour: "r-9"), .notFound, "the partner r-9 is not a known resident"),
            (World.pairing("r-1", neighbour: "r-4"), .failedPrecondition, "lives in qingyi"),
            (World.pairing("r-1", member: "m-9"), .notFound, "member m-9 is not known to work in qinghe"),
            (World.pairing("r-1"), .invalidArgument, "exactly one partner"),
            (World.pairing("r-1", member: "m-1", neighbour: "r-2"), .invalidArgument, "exactly one partner"),
            (World.pairing("", neighbour: "r-2"), .invalidArgument, "elder_resident_id is required"),
            (World.pairing("r-1", neighbour: "r-1"), .invalidArgument, "themselves"),
            (World.pairing("r-1", neighbour: "r-2", id: String(repeating: "x", count: 101)), .invalidArgument, "at most 100 bytes"),
        ]
        for (request, code, message) in cases {
            let error = try await #require(throws: RPCError.self) { try await world.office.pair(request, by: World.staff) }
            #expect(error.code == code, "\(request)")
            #expect(error.message.contains(message), "\(error.message)")
        }
        #expect(try await world.office.listPairs(NeighbourPairingListPairsRequest(), by: World.staff).pairs.isEmpty)
    }

    @Test("only members of the elder's community (not department officers) and the administrator may pair")
    func pairAuthority() async throws {
        let world = World()
        for caller in [World.outsider, World.officer, World.integrator] {
            let error = try await #require(throws: RPCError.self) { try await world.office.pair(World.pairing("r-1", neighbour: "r-2"), by: caller) }
            #expect(error.code == .permissionDenied, "\(caller.identity)")
        }
        let byAdmin = try await world.office.pair(World.pairing("r-1", neighbour: "r-2"), by: World.administrator)
        #expect(byAdmin.pairedBy == "admin:admin")
        let read = try await #require(throws: RPCError.self) {
            try await world.office.listPairs(NeighbourPairingListPairsRequest(), by: World.integrator)
        }
        #expect(read.code == .permissionDenied)
        let outsiderSees = try await world.office.listPairs(NeighbourPairingListPairsRequest(), by: World.outsider)
        #expect(outsiderSees.pairs.isEmpty)
        let module = try await world.office.listPairs(NeighbourPairingListPairsRequest.with { $0.elderResidentID = "r-1" }, by: ModuleCaller(identity: "knock://module/canteen"))
        #expect(module.pairs.map(\.elderResidentID) == ["r-1"])
    }

    @Test("a member partner is one the module has seen working in the community: after their visit they can be paired")
    func memberPartner() async throws {
        let world = World()
        let unknown = try await #require(throws: RPCError.self) { try await world.office.pair(World.pairing("r-1", member: "m-1"), by: World.staff) }
        #expect(unknown.code == .notFound)
        _ = try await world.module.assess(World.assessment(World.residents[4], member: "m-1"), context: world.context)
        let pair = try await world.office.pair(World.pairing("r-1", member: "m-1"), by: World.staff)
        #expect(pair.partnerMemberID == "m-1")
        #expect(pair.partnerResidentID.isEmpty)
        // A caller is known too: the staff member pairs the elder with themselves.
        let own = try await world.office.pair(World.pairing("r-2", member: "m-2"), by: World.staff)
        #expect(own.partnerMemberID == "m-2")
    }

    @Test("a member partner's check-in is recorded as a door visit by that member; a retry counts once")
    func memberCheckIn() async throws {
        let world = World()
        _ = try await world.module.assess(World.assessment(World.residents[4], member: "m-1"), context: world.context)
        let pair = try await world.office.pair(World.pairing("r-1", member: "m-1", id: "p-1"), by: World.staff)
        var checkIn = NeighbourPairingCheckInRequest()
        checkIn.id = "c-1"
        checkIn.pairID = pair.id
        checkIn.at = .init(date: World.morning.addingTimeInterval(3_600))
        checkIn.observations = "血压正常"
        let first = try await world.office.checkIn(checkIn, by: World.volunteer)
        #expect(!first.duplicate)
        #expect(first.pair.checkIns == 1)
        #expect(first.pair.lastCheckInAt == checkIn.at)
        #expect(world.host.visits.count == 1)
        let visit = try #require(world.host.visits.first)
        #expect(visit.id == "neighbour-pairing:c-1")
        #expect(visit.memberID == "m-1")
        #expect(visit.residentID == "r-1")
        #expect(visit.channel == .door)
        #expect(visit.outcome == .met)
        #expect(visit.observations.hasSuffix("血压正常"))

        let retry = try await world.office.checkIn(checkIn, by: World.volunteer)
        #expect(retry.duplicate)
        #expect(retry.pair.checkIns == 1)
        #expect(world.host.visits.count == 1)

        var changed = checkIn
        changed.observations = "另一条"
        let conflict = try await #require(throws: RPCError.self) { try await world.office.checkIn(changed, by: World.volunteer) }
        #expect(conflict.code == .alreadyExists)
    }

    @Test("a neighbour's check-in is recorded with the module as visitor and the neighbour named in the observations")
    func neighbourCheckIn() async throws {
        let world = World()
        let pair = try await world.office.pair(World.pairing("r-1", neighbour: "r-2", id: "p-1"), by: World.staff)
        var checkIn = NeighbourPairingCheckInRequest()
        checkIn.id = "c-1"
        checkIn.pairID = pair.id
        checkIn.at = .init(date: World.morning)
        checkIn.outcome = .noAnswer
        checkIn.requests = ["帮忙买药"]
        let response = try await world.office.checkIn(checkIn, by: World.staff)
        let visit = try #require(world.host.visits.first)
        #expect(visit.memberID == "module:neighbour-pairing")
        #expect(visit.outcome == .noAnswer)
        #expect(visit.requests == ["帮忙买药"])
        #expect(visit.observations.contains("neighbour 刘建国 (r-2)"))
        #expect(visit.observations.contains("recorded by member:m-2"))
        #expect(response.visit.householdID == "h-1")
    }

    @Test("check-ins need an id, a time, an active pair and a host; outsiders are refused")
    func checkInRefusals() async throws {
        let world = World()
        let pair = try await world.office.pair(World.pairing("r-1", neighbour: "r-2", id: "p-1"), by: World.staff)
        func checkIn(_ id: String, pair: String, at: Date?) -> NeighbourPairingCheckInRequest {
            var request = NeighbourPairingCheckInRequest()
            request.id = id
            request.pairID = pair
            if let at { request.at = .init(date: at) }
            return request
        }
        let cases: [(NeighbourPairingCheckInRequest, ModuleCaller, StatusCode)] = [
            (checkIn("", pair: "p-1", at: World.morning), World.staff, .invalidArgument),
            (checkIn("c-1", pair: "", at: World.morning), World.staff, .invalidArgument),
            (checkIn("c-1", pair: "p-1", at: nil), World.staff, .invalidArgument),
            (checkIn("c-1", pair: "p-9", at: World.morning), World.staff, .notFound),
            (checkIn("c-1", pair: "p-1", at: World.morning), World.outsider, .permissionDenied),
        ]
        for (request, caller, code) in cases {
            let error = try await #require(throws: RPCError.self) { try await world.office.checkIn(request, by: caller) }
            #expect(error.code == code)
        }
        var noHost = world.context
        noHost.host = nil
        let hostless = try await #require(throws: RPCError.self) {
            try await PairingOffice(context: noHost).checkIn(checkIn("c-1", pair: "p-1", at: World.morning), by: World.staff)
        }
        #expect(hostless.code == .failedPrecondition)
        _ = try await world.office.unpair(NeighbourPairingUnpairRequest.with { $0.pairID = pair.id; $0.reason = "搬走了" }, by: World.staff)
        let ended = try await #require(throws: RPCError.self) { try await world.office.checkIn(checkIn("c-1", pair: "p-1", at: World.morning), by: World.staff) }
        #expect(ended.code == .failedPrecondition)
        #expect(world.host.visits.isEmpty)
    }

    @Test("a pair lapses after lapse_days without a check-in, judged as of the time asked; a check-in renews it")
    func lapse() async throws {
        let world = World(configuration: ["lapse_days": "3"])
        let pair = try await world.office.pair(World.pairing("r-1", neighbour: "r-2", id: "p-1"), by: World.staff)
        func listed(_ asOf: Date) async throws -> NeighbourPairingPair {
            let response = try await world.office.listPairs(NeighbourPairingListPairsRequest.with { $0.asOf = .init(date: asOf) }, by: World.staff)
            #expect(response.lapseDays == 3)
            return try #require(response.pairs.first)
        }
        #expect(try await listed(World.morning.addingTimeInterval(3 * 86_400 - 60)).lapsed == false)
        let lapsed = try await listed(World.morning.addingTimeInterval(3 * 86_400))
        #expect(lapsed.lapsed)
        #expect(lapsed.daysSinceCheckIn == 3)
        var checkIn = NeighbourPairingCheckInRequest()
        checkIn.id = "c-1"
        checkIn.pairID = pair.id
        checkIn.at = .init(date: World.morning.addingTimeInterval(2 * 86_400))
        _ = try await world.office.checkIn(checkIn, by: World.staff)
        #expect(try await listed(World.morning.addingTimeInterval(3 * 86_400)).lapsed == false)
        #expect(try await listed(World.morning.addingTimeInterval(5 * 86_400)).lapsed)
        let lapsedOnly = try await world.office.listPairs(NeighbourPairingListPairsRequest.with {
            $0.asOf = .init(date: World.morning.addingTimeInterval(86_400))
            $0.lapsedOnly = true
        }, by: World.staff)
        #expect(lapsedOnly.pairs.isEmpty)
    }

    @Test("planning a day gives the elder of each lapsed pair a knock, judged at the day's end")
    func planLapsed() async throws {
        let world = World()
        _ = try await world.office.pair(World.pairing("r-1", neighbour: "r-2", id: "p-1"), by: World.staff)
        func plan(_ date: String) async throws -> [CommunityPlannedKnock] {
            try await world.module.plan(ModulePlanRequest.with { $0.date = date; $0.communityID = "qinghe" }, context: world.context)
        }
        #expect(try await plan("2026-12-06").isEmpty)  // paired 11-30 10:00: 6 days and 14 hours by the end of 12-06
        let knocks = try await plan("2026-12-07")
        #expect(knocks.count == 1)
        let knock = try #require(knocks.first)
        #expect(knock.residentID == "r-1")
        #expect(knock.householdID == "h-1")
        #expect(knock.date == "2026-12-07")
        #expect(knock.channel == .door)
        #expect(knock.why.contains("neighbour 刘建国 (r-2)"))
        #expect(try await world.module.plan(ModulePlanRequest.with { $0.date = "2026-12-06"; $0.communityID = "qingyi" }, context: world.context).isEmpty)
        let bad = try await #require(throws: RPCError.self) { try await plan("2026-02-30") }
        #expect(bad.code == .invalidArgument)
    }

    @Test("configuration is read strictly: a bad lapse_days or an unknown key is an error naming it")
    func configuration() throws {
        #expect(try PairingConfiguration([:]).lapseDays == 7)
        #expect(try PairingConfiguration(["lapse_days": "14"]).lapseDays == 14)
        for bad in ["0", "-1", "abc", "7.5", "", "366"] {
            let error = try #require(throws: RPCError.self) { try PairingConfiguration(["lapse_days": bad]) }
            #expect(error.message.contains("lapse_days"))
        }
        let unknown = try #require(throws: RPCError.self) { try PairingConfiguration(["lapse_day": "7"]) }
        #expect(unknown.message.contains("lapse_day"))
    }

    @Test("assessing a visit to an eligible elder without a pair raises a pairing need; with a pair, or for others, nothing")
    func assess() async throws {
        let world = World()
        let suggestions = try await world.module.assess(World.assessment(World.residents[0]), context: world.context)
        #expect(suggestions.count == 1)
        let need = try #require(suggestions.first?.raiseNeed)
        #expect(need.residentID == "r-1")
        #expect(need.category == "pairing")
        #expect(need.summary.contains("张秀英"))
        #expect(try await world.module.assess(World.assessment(World.residents[2]), context: world.context).isEmpty)
        #expect(try await world.module.assess(World.assessment(World.residents[4]), context: world.context).isEmpty)
        // Elders learned from visits are listed as unpaired until paired.
        _ = try await world.module.assess(World.assessment(World.residents[1]), context: world.context)
        let unpaired = try await world.office.listUnpaired(NeighbourPairingListUnpairedRequest(), by: World.staff)
        #expect(unpaired.elders.map(\.residentID) == ["r-1", "r-2"])
        _ = try await world.office.pair(World.pairing("r-1", neighbour: "r-2"), by: World.staff)
        #expect(try await world.module.assess(World.assessment(World.residents[0]), context: world.context).isEmpty)
        #expect(try await world.office.listUnpaired(NeighbourPairingListUnpairedRequest(), by: World.staff).elders.map(\.residentID) == ["r-2"])
        // An administrator names the community; another community's member sees their own.
        let missing = try await #require(throws: RPCError.self) { try await world.office.listUnpaired(NeighbourPairingListUnpairedRequest(), by: World.administrator) }
        #expect(missing.code == .invalidArgument)
        #expect(try await world.office.listUnpaired(NeighbourPairingListUnpairedRequest.with { $0.communityID = "qinghe" }, by: World.administrator).elders.count == 1)
        let foreign = try await #require(throws: RPCError.self) {
            try await world.office.listUnpaired(NeighbourPairingListUnpairedRequest.with { $0.communityID = "qinghe" }, by: World.outsider)
        }
        #expect(foreign.code == .permissionDenied)
    }

    @Test("ending a pair frees the elder: listed as unpaired, pairable again; ending it twice is refused")
    func unpair() async throws {
        let world = World()
        let pair = try await world.office.pair(World.pairing("r-1", neighbour: "r-2", id: "p-1"), by: World.staff)
        let ended = try await world.office.unpair(NeighbourPairingUnpairRequest.with { $0.pairID = pair.id; $0.reason = "邻居搬家" }, by: World.volunteer)
        #expect(!ended.active)
        #expect(ended.endedBy == "member:m-1")
        #expect(ended.endReason == "邻居搬家")
        let twice = try await #require(throws: RPCError.self) { try await world.office.unpair(NeighbourPairingUnpairRequest.with { $0.pairID = pair.id }, by: World.staff) }
        #expect(twice.code == .failedPrecondition)
        let missing = try await #require(throws: RPCError.self) { try await world.office.unpair(NeighbourPairingUnpairRequest.with { $0.pairID = "p-9" }, by: World.staff) }
        #expect(missing.code == .notFound)
        #expect(try await world.office.listUnpaired(NeighbourPairingListUnpairedRequest(), by: World.staff).elders.map(\.residentID) == ["r-1"])
        #expect(try await world.office.listPairs(NeighbourPairingListPairsRequest(), by: World.staff).pairs.isEmpty)
        #expect(try await world.office.listPairs(NeighbourPairingListPairsRequest.with { $0.includeEnded = true }, by: World.staff).pairs.count == 1)
        // Unpaired, a visit raises the pairing need again.
        #expect(try await world.module.assess(World.assessment(World.residents[0]), context: world.context).first?.raiseNeed.category == "pairing")
        let again = try await world.office.pair(World.pairing("r-1", neighbour: "r-2", id: "p-2"), by: World.staff)
        #expect(again.active)
        // With two partners, ending one leaves the elder paired; ending both frees them.
        _ = try await world.office.pair(World.pairing("r-1", neighbour: "r-5", id: "p-3"), by: World.staff)
        _ = try await world.office.unpair(NeighbourPairingUnpairRequest.with { $0.pairID = "p-2" }, by: World.staff)
        #expect(try await world.module.assess(World.assessment(World.residents[0]), context: world.context).isEmpty)
        _ = try await world.office.unpair(NeighbourPairingUnpairRequest.with { $0.pairID = "p-3" }, by: World.staff)
        #expect(try await world.module.assess(World.assessment(World.residents[0]), context: world.context).count == 1)
    }

    @Test("care tasks: added to an active pair, completed once, listed with the overdue ones marked")
    func tasks() async throws {
        let world = World()
        let pair = try await world.office.pair(World.pairing("r-1", neighbour: "r-2", id: "p-1"), by: World.staff)
        func task(_ id: String, _ kind: NeighbourPairingTaskKind, dueIn hours: Double, pair: String = "p-1") -> NeighbourPairingAddTaskRequest {
            NeighbourPairingAddTaskRequest.with {
                $0.id = id
                $0.pairID = pair
                $0.kind = kind
                $0.due = .init(date: World.morning.addingTimeInterval(hours * 3_600))
                $0.note = "\(kind)"
            }
        }
        let medicine = try await world.office.addTask(task("t-1", .medicine, dueIn: 2), by: World.volunteer)
        #expect(medicine.elderResidentID == "r-1")
        #expect(medicine.createdBy == "member:m-1")
        #expect(try await world.office.addTask(task("t-1", .medicine, dueIn: 2), by: World.volunteer) == medicine)
        let taken = try await #require(throws: RPCError.self) { try await world.office.addTask(task("t-1", .meal, dueIn: 2), by: World.volunteer) }
        #expect(taken.code == .alreadyExists)
        _ = try await world.office.addTask(task("t-2", .hospital, dueIn: 48), by: World.staff)
        for (request, code) in [(task("t-3", .unspecified, dueIn: 1), StatusCode.invalidArgument), (task("t-3", .cleaning, dueIn: 1, pair: "p-9"), .notFound)] {
            let error = try await #require(throws: RPCError.self) { try await world.office.addTask(request, by: World.staff) }
            #expect(error.code == code)
        }
        let undue = try await #require(throws: RPCError.self) {
            try await world.office.addTask(NeighbourPairingAddTaskRequest.with { $0.pairID = "p-1"; $0.kind = .meal }, by: World.staff)
        }
        #expect(undue.code == .invalidArgument)

        let asOf = World.morning.addingTimeInterval(3 * 3_600)
        let listed = try await world.office.listTasks(NeighbourPairingListTasksRequest.with { $0.pairID = pair.id; $0.asOf = .init(date: asOf) }, by: World.staff)
        #expect(listed.tasks.map(\.id) == ["t-1", "t-2"])
        #expect(listed.tasks.map(\.overdue) == [true, false])

        let done = try await world.office.completeTask(NeighbourPairingCompleteTaskRequest.with { $0.taskID = "t-1"; $0.note = "已送到" }, by: World.volunteer)
        #expect(done.done)
        #expect(done.completedBy == "member:m-1")
        let twice = try await #require(throws: RPCError.self) { try await world.office.completeTask(NeighbourPairingCompleteTaskRequest.with { $0.taskID = "t-1" }, by: World.staff) }
        #expect(twice.code == .failedPrecondition)
        let open = try await world.office.listTasks(NeighbourPairingListTasksRequest.with { $0.elderResidentID = "r-1"; $0.openOnly = true }, by: World.staff)
        #expect(open.tasks.map(\.id) == ["t-2"])
        let neither = try await #require(throws: RPCError.self) { try await world.office.listTasks(NeighbourPairingListTasksRequest(), by: World.staff) }
        #expect(neither.code == .invalidArgument)
        let outsider = try await #require(throws: RPCError.self) { try await world.office.listTasks(NeighbourPairingListTasksRequest.with { $0.pairID = "p-1" }, by: World.outsider) }
        #expect(outsider.code == .permissionDenied)
        let unknownPair = try await #require(throws: RPCError.self) { try await world.office.listTasks(NeighbourPairingListTasksRequest.with { $0.pairID = "p-9" }, by: World.staff) }
        #expect(unknownPair.code == .notFound)
        let integrator = try await #require(throws: RPCError.self) { try await world.office.listTasks(NeighbourPairingListTasksRequest.with { $0.elderResidentID = "r-9" }, by: World.integrator) }
        #expect(integrator.code == .permissionDenied)
        let elderOutsider = try await #require(throws: RPCError.self) { try await world.office.listTasks(NeighbourPairingListTasksRequest.with { $0.elderResidentID = "r-1" }, by: World.outsider) }
        #expect(elderOutsider.code == .permissionDenied)
    }
}
