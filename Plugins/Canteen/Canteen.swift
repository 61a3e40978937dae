import Foundation
import KnockModuleKit

/// 社区好味到大食堂 Community canteen: menus by day, orders for dine-in (堂食) or delivery (送餐上门),
/// subsidy tiers by the resident's tags, delivery by members, neighbours or the elder's pair
/// partner, and the day's counts for the kitchen.
///
/// - Prices and subsidies are configured (``CanteenConfiguration``): a meal costs `price`; a
///   resident's tiers come from their tags; the subsidy is the largest of their tiers' (or the
///   sum, with `subsidy.rule=sum`), never above the price; an order keeps the amounts it was
///   placed with.
/// - Orders are refused for a day without a menu, a dish not on it, a resident not enrolled, or a
///   day already past (judged as of the request's `as_of`, else the module's clock, in the
///   deployment's time zone).
/// - Assessing a visit: a resident whose visit mentions needing meals (`meal_words`: 送餐, 做饭,
///   不能做饭, 吃饭, meal, cannot cook) and who is not enrolled is proposed for enrolment: a
///   proposal kept in the store (`canteen.ListProposals`) and a need of category `meals` owned by
///   the canteen. Enrolling the resident removes the proposal and resolves the canteen's active
///   `meals` needs of the resident.
/// - `canteen.AssignDelivery` with `pair_partner` asks `neighbour-pairing.ListPairs` through the
///   host for the elder's active pair (a method named by this module; it imports no other
///   module); the host vouches for that call as the canteen's.
///
/// Who may call: members of the resident's community (any role but department officer) and the
/// administrator; other modules may read menus and the day's counts (`GetMenu`, `DailyCounts`).
public struct Canteen: KnockModule {
    /// The dishes of a day.
    public static let setMenu = RPCMethod<CanteenSetMenuRequest, CanteenMenu>("canteen.SetMenu")
    /// A day's menu.
    public static let getMenu = RPCMethod<CanteenGetMenuRequest, CanteenMenu>("canteen.GetMenu")
    /// Enrol a resident.
    public static let enrol = RPCMethod<CanteenEnrolRequest, CanteenEnrolResponse>("canteen.Enrol")
    /// Residents proposed for enrolment.
    public static let listProposals = RPCMethod<CanteenListProposalsRequest, CanteenListProposalsResponse>("canteen.ListProposals")
    /// Order a meal.
    public static let placeOrder = RPCMethod<CanteenPlaceOrderRequest, CanteenOrder>("canteen.PlaceOrder")
    /// Cancel an order.
    public static let cancelOrder = RPCMethod<CanteenCancelOrderRequest, CanteenOrder>("canteen.CancelOrder")
    /// Give a delivery to a courier.
    public static let assignDelivery = RPCMethod<CanteenAssignDeliveryRequest, CanteenOrder>("canteen.AssignDelivery")
    /// A delivery handed over.
    public static let markDelivered = RPCMethod<CanteenMarkDeliveredRequest, CanteenOrder>("canteen.MarkDelivered")
    /// The kitchen's counts for a day.
    public static let dailyCounts = RPCMethod<CanteenDailyCountsRequest, CanteenDailyCountsResponse>("canteen.DailyCounts")
    /// neighbour-pairing's list of pairs, as canteen reads it (the fields it needs).
    static let pairsOfElder = RPCMethod<CanteenPairsQuery, CanteenPairsAnswer>("neighbour-pairing.ListPairs")

    /// Creates the module.
    public init() {}

    /// canteen: assesses visits, serves its methods; reads residents through the host.
    public var descriptor: ModuleDescriptor {
        var descriptor = ModuleDescriptor()
        descriptor.id = "canteen"
        descriptor.nameZh = "社区好味到大食堂"
        descriptor.nameEn = "Community canteen"
        descriptor.version = "1.0.0"
        descriptor.summary = "Menus by day, dine-in and delivery orders with subsidy tiers, delivery by volunteers or paired neighbours, the kitchen's daily counts; elders who need meals are proposed for enrolment."
        descriptor.methods = [
            Self.setMenu.descriptor, Self.getMenu.descriptor, Self.enrol.descriptor, Self.listProposals.descriptor,
            Self.placeOrder.descriptor, Self.cancelOrder.descriptor, Self.assignDelivery.descriptor,
            Self.markDelivered.descriptor, Self.dailyCounts.descriptor,
        ].map(ModuleMethodInfo.init)
        descriptor.permissions = ["residents.read", "needs.read", "needs.write"]
        descriptor.assessesVisits = true
        // A visit that mentions meals reads the resident's enrolment and proposal: they come
        // with the visit, read with the other methods' records in the visit's own write.
        descriptor.visitRecords = CanteenLedger.visitRecords
        // Generated from Protocol/modules with the methods above; the descriptor test checks they embed.
        try? descriptor.embedSchemas(base64: CanteenSchemas.base64)
        return descriptor
    }

    /// Learns the visit's member; a resident not enrolled whose visit mentions needing meals is
    /// proposed for enrolment and gets a `meals` need owned by the canteen.
    ///
    /// A proposal stands as the first visit made it; a later visit adds the meal words it does
    /// not list yet, and one that adds none writes nothing (the need it suggests again is a
    /// duplicate the host drops). The enrolment and the proposal come with the visit
    /// (`visit_records`); a second try after a conflict reads them from the store.
    /// - Throws: ``RPCError`` for a bad configuration or if the store fails.
    public func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] {
        let configuration = try context.configuration(as: CanteenConfiguration.self)
        let ledger = CanteenLedger(store: context.store, learned: context.learned)
        let resident = request.resident
        let community = resident.communityID.isEmpty ? request.communityID : resident.communityID
        if !request.visit.memberID.isEmpty, !request.visit.memberID.contains(":"), !community.isEmpty {
            try await ledger.learnMember(request.visit.memberID, community: community)
        }
        let text = ([request.visit.observations, request.visit.opinions] + request.visit.requests).joined(separator: "\n")
        let matched = configuration.mealWords(in: text)
        guard !matched.isEmpty, !resident.id.isEmpty else { return [] }
        // Two visits to one resident at once: whichever writes second reads again, from the
        // store (not the records that came with the visit).
        var attempt = request
        let proposed = try await RPCError.retryingOnConflict {
            defer { attempt = request.withoutVisitRecords }
            return try await ledger.propose(attempt, matched: matched, community: community, at: context.clock.now())
        }
        guard proposed else { return [] }
        return [.raisingNeed(
            residentID: resident.id, category: "meals",
            summary: "好味到大食堂: \(resident.name) needs meals (\(matched.joined(separator: ", "))); enrol with the canteen for dine-in or delivery",
            ownerModule: "canteen", reason: "the visit mentions \(matched.joined(separator: ", "))"
        )]
    }

    /// Checks this deployment's configuration at start (see ``CanteenConfiguration``).
    public func validate(configuration: [String: String]) throws {
        _ = try CanteenConfiguration(configuration)
    }

    /// Registers `canteen.*`; each handler refuses a call the host did not vouch for
    /// (`UNAUTHENTICATED`) and checks the caller's community and role.
    /// - Parameters:
    ///   - router: The module's router.
    ///   - context: The module's context, captured by the handlers.
    public func registerMethods(with router: inout RPCRouter, context: ModuleContext) {
        let counter = CanteenCounter(context: context)
        router.register(Self.setMenu) { request, server in try await counter.setMenu(request, by: try server.requireCaller()) }
        router.register(Self.getMenu) { request, server in try await counter.getMenu(request, by: try server.requireCaller()) }
        router.register(Self.enrol) { request, server in try await counter.enrol(request, by: try server.requireCaller()) }
        router.register(Self.listProposals) { request, server in try await counter.listProposals(request, by: try server.requireCaller()) }
        router.register(Self.placeOrder) { request, server in try await counter.placeOrder(request, by: try server.requireCaller()) }
        router.register(Self.cancelOrder) { request, server in try await counter.cancelOrder(request, by: try server.requireCaller()) }
        router.register(Self.assignDelivery) { request, server in try await counter.assignDelivery(request, by: try server.requireCaller()) }
        router.register(Self.markDelivered) { request, server in try await counter.markDelivered(request, by: try server.requireCaller()) }
        router.register(Self.dailyCounts) { request, server in try await counter.dailyCounts(request, by: try server.requireCaller()) }
    }
}
