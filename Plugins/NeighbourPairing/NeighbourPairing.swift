import Foundation
import KnockModuleKit

/// 邻里结亲法 Neighbour pairing (elder pairing): elders living alone, empty-nest or of advanced
/// age are paired (结亲) with a member or a neighbour, who checks in on them and takes on care
/// tasks (buying medicine, delivering a meal, cleaning, going with them to hospital).
///
/// - A pair's check-in (`neighbour-pairing.CheckIn`) counts as a knock: it is recorded as a
///   door visit through `knock.community.RecordVisit`, with the partner as the visitor when the
///   partner is a member, and with the module (`module:neighbour-pairing`) as the visitor, the
///   neighbour named in the observations, when the partner is a neighbour who is not a member.
/// - A pair lapses when it has had no check-in (nor, before the first one, the pairing itself)
///   for `lapse_days` days, judged as of the time a request names (`as_of`), else the module's
///   clock. Planning a day adds a knock for every pair's elder lapsed by the end of that day
///   (midnight in the deployment's time zone).
/// - Assessing a visit: the module learns the elders it sees (the resident and their tags) and
///   the members who knock in each community; a visit to an eligible elder without an active pair
///   raises a need of category `pairing` (left to the grid's member, who finds a partner); pairing
///   the elder resolves it (assigned to the member who made the pair).
/// - `ListUnpaired` lists the eligible elders the module knows of (from the visits it assessed
///   and from `Pair` calls, which read the resident from the host) who have no active pair.
///
/// Configuration (`modules.neighbour-pairing.config`):
/// - `lapse_days=7`: days without a check-in after which a pair has lapsed (a whole number,
///   1 to 365).
///
/// Who may call: members of the elder's community (any role but department officer) and the
/// administrator; other modules may read the pairs (`ListPairs`).
public struct NeighbourPairing: KnockModule {
    /// Pair an eligible elder with a member or a neighbour.
    public static let pair = RPCMethod<NeighbourPairingPairRequest, NeighbourPairingPair>("neighbour-pairing.Pair")
    /// End a pair.
    public static let unpair = RPCMethod<NeighbourPairingUnpairRequest, NeighbourPairingPair>("neighbour-pairing.Unpair")
    /// Pairs, with their lapse as of a given time.
    public static let listPairs = RPCMethod<NeighbourPairingListPairsRequest, NeighbourPairingListPairsResponse>("neighbour-pairing.ListPairs")
    /// Eligible elders of a community without an active pair.
    public static let listUnpaired = RPCMethod<NeighbourPairingListUnpairedRequest, NeighbourPairingListUnpairedResponse>("neighbour-pairing.ListUnpaired")
    /// A partner's check-in, recorded as a knock.
    public static let checkIn = RPCMethod<NeighbourPairingCheckInRequest, NeighbourPairingCheckInResponse>("neighbour-pairing.CheckIn")
    /// A care task for a pair.
    public static let addTask = RPCMethod<NeighbourPairingAddTaskRequest, NeighbourPairingTask>("neighbour-pairing.AddTask")
    /// A care task done.
    public static let completeTask = RPCMethod<NeighbourPairingCompleteTaskRequest, NeighbourPairingTask>("neighbour-pairing.CompleteTask")
    /// A pair's or an elder's care tasks.
    public static let listTasks = RPCMethod<NeighbourPairingListTasksRequest, NeighbourPairingListTasksResponse>("neighbour-pairing.ListTasks")

    /// Creates the module.
    public init() {}

    /// neighbour-pairing: assesses visits, plans days, serves its methods; records check-ins as
    /// visits and reads residents through the host.
    public var descriptor: ModuleDescriptor {
        var descriptor = ModuleDescriptor()
        descriptor.id = "neighbour-pairing"
        descriptor.nameZh = "邻里结亲法"
        descriptor.nameEn = "Neighbour pairing"
        descriptor.version = "1.0.0"
        descriptor.summary = "Pairs elders living alone, empty-nest or of advanced age with members or neighbours; care tasks; a pair's check-in counts as a knock; lapsed pairs get a knock."
        descriptor.methods = [
            Self.pair.descriptor, Self.unpair.descriptor, Self.listPairs.descriptor, Self.listUnpaired.descriptor,
            Self.checkIn.descriptor, Self.addTask.descriptor, Self.completeTask.descriptor, Self.listTasks.descriptor,
        ].map(ModuleMethodInfo.init)
        descriptor.permissions = ["visits.write", "residents.read", "needs.read", "needs.write"]
        descriptor.assessesVisits = true
        // Every visit reads the resident's elder record and their list of active pairs: they come
        // with the visit.
        descriptor.visitRecords = [PairBook.elders, PairBook.paired]
        descriptor.plansDays = true
        // Generated from Protocol/modules with the methods above; the descriptor test checks they embed.
        try? descriptor.embedSchemas(base64: NeighbourPairingSchemas.base64)
        return descriptor
    }

    /// Learns the elder and the member of the visit; an eligible elder without an active pair
    /// raises a `pairing` need.
    /// - Throws: ``RPCError`` if the store fails.
    public func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] {
        let book = PairBook(store: context.store, learned: context.learned)
        let resident = request.resident
        let community = resident.communityID.isEmpty ? request.communityID : resident.communityID
        if !request.visit.memberID.isEmpty, !request.visit.memberID.contains(":"), !community.isEmpty {
            try await book.learnMember(request.visit.memberID, community: community)
        }
        guard try await book.learnElder(visited: request, community: community, at: context.clock.now()) != nil else { return [] }
        guard try await book.activePairIDs(visited: request).isEmpty else { return [] }
        return [.raisingNeed(
            residentID: resident.id, category: "pairing",
            summary: "邻里结亲: \(resident.name) (\(Eligibility.describe(resident.tags))) has no pair; find a member or neighbour to pair with",
            reason: "an eligible elder without a pair"
        )]
    }

    /// A knock for the elder of every pair of the community that has lapsed by the end of the day.
    /// - Throws: ``RPCError`` for a malformed date or configuration, or if the store fails.
    public func plan(_ request: ModulePlanRequest, context: ModuleContext) async throws -> [CommunityPlannedKnock] {
        let configuration = try context.configuration(as: PairingConfiguration.self)
        let end = try context.calendar.end(of: request.date)
        let book = PairBook(store: context.store, learned: context.learned)
        var knocks: [CommunityPlannedKnock] = []
        for pair in try await book.pairs(community: request.communityID, activeOnly: true) {
            let lapse = PairLapse(pair: pair, asOf: end, lapseDays: configuration.lapseDays)
            guard lapse.lapsed else { continue }
            let elder = try await book.elder(pair.elderResidentID)
            if !request.gridIds.isEmpty, !request.gridIds.contains(pair.gridID) { continue }
            var knock = CommunityPlannedKnock()
            knock.residentID = pair.elderResidentID
            knock.householdID = elder?.householdID ?? ""
            knock.channel = .door
            knock.why = "邻里结亲: no check-in by \(PairBook.partnerLabel(pair)) for \(lapse.days) days (lapsed after \(configuration.lapseDays))"
            knock.priority = 60
            knock.date = request.date
            knocks.append(knock)
        }
        return knocks
    }

    /// Checks this deployment's configuration at start (see ``PairingConfiguration``).
    public func validate(configuration: [String: String]) throws {
        _ = try PairingConfiguration(configuration)
    }

    /// Registers `neighbour-pairing.*`; each handler refuses a call the host did not vouch for
    /// (`UNAUTHENTICATED`) and checks the caller's community and role.
    /// - Parameters:
    ///   - router: The module's router.
    ///   - context: The module's context, captured by the handlers.
    public func registerMethods(with router: inout RPCRouter, context: ModuleContext) {
        let office = PairingOffice(context: context)
        router.register(Self.pair) { request, server in try await office.pair(request, by: try server.requireCaller()) }
        router.register(Self.unpair) { request, server in try await office.unpair(request, by: try server.requireCaller()) }
        router.register(Self.listPairs) { request, server in try await office.listPairs(request, by: try server.requireCaller()) }
        router.register(Self.listUnpaired) { request, server in try await office.listUnpaired(request, by: try server.requireCaller()) }
        router.register(Self.checkIn) { request, server in try await office.checkIn(request, by: try server.requireCaller()) }
        router.register(Self.addTask) { request, server in try await office.addTask(request, by: try server.requireCaller()) }
        router.register(Self.completeTask) { request, server in try await office.completeTask(request, by: try server.requireCaller()) }
        router.register(Self.listTasks) { request, server in try await office.listTasks(request, by: try server.requireCaller()) }
    }
}
