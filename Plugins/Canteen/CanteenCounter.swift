import Foundation
import KnockModuleKit

/// The handlers of canteen's methods, each given the caller the host vouched for.
struct CanteenCounter: Sendable {
    let context: ModuleContext
    var ledger: CanteenLedger { CanteenLedger(store: context.store, learned: context.learned) }

    /// The work callers must be allowed to do here (members of the resident's community, any
    /// role but department officer, and the administrator), as refusals name it.
    static let work = "work the canteen"

    // MARK: Menus

    /// Sets the dishes of a community's day (replacing the day's menu).
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` for a bad day or dishes, `FAILED_PRECONDITION`
    ///   for a past day or a dish dropped that has orders, `PERMISSION_DENIED`.
    func setMenu(_ request: CanteenSetMenuRequest, by caller: ModuleCaller) async throws -> CanteenMenu {
        let community = try caller.community(named: request.communityID, Self.work)
        try context.calendar.check(request.date)
        let today = context.calendar.day(of: request.hasAsOf ? request.asOf.date : context.clock.now())
        guard request.date >= today else {
            throw RPCError(code: .failedPrecondition, message: "\(request.date) is past (today is \(today)): its menu can no longer change")
        }
        guard (1...50).contains(request.dishes.count) else { throw RPCError(code: .invalidArgument, message: "a menu has 1 to 50 dishes") }
        var seen = Set<String>()
        for dish in request.dishes {
            guard !dish.id.isEmpty, dish.id.utf8.count <= 64, !dish.name.trimmingCharacters(in: .whitespaces).isEmpty, dish.name.utf8.count <= 200 else {
                throw RPCError(code: .invalidArgument, message: "every dish needs an id (at most 64 bytes) and a name (at most 200 bytes)")
            }
            guard seen.insert(dish.id).inserted else { throw RPCError(code: .invalidArgument, message: "dish id \(dish.id) appears twice") }
        }
        if caller.isMember { try await ledger.learnMember(caller.id, community: community) }
        let ordered = try await ledger.orders(community: community, date: request.date).filter { $0.status != .cancelled }
        for order in ordered where !seen.contains(order.dishID) {
            throw RPCError(code: .failedPrecondition, message: "dish \(order.dishID) (\(order.dishName)) has orders on \(request.date): cancel them before dropping it")
        }
        var menu = CanteenMenu()
        menu.communityID = community
        menu.date = request.date
        menu.dishes = request.dishes
        menu.setBy = caller.provenance
        menu.setAt = .init(date: context.clock.now())
        try await ledger.putMenu(menu)
        return menu
    }

    /// A community's menu of a day.
    /// - Throws: ``RPCError`` `NOT_FOUND` for a day without a menu, `INVALID_ARGUMENT`, `PERMISSION_DENIED`.
    func getMenu(_ request: CanteenGetMenuRequest, by caller: ModuleCaller) async throws -> CanteenMenu {
        let community = try caller.community(named: request.communityID, Self.work, modulesMayRead: true)
        try context.calendar.check(request.date)
        guard let menu = try await ledger.menu(community: community, date: request.date) else {
            throw RPCError(code: .notFound, message: "no menu for \(community) on \(request.date)")
        }
        return menu
    }

    // MARK: Enrolment

    /// Enrols a resident (or updates their delivery address and tiers): tiers from their tags as
    /// the host knows them.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT`, `NOT_FOUND` for an unknown resident,
    ///   `FAILED_PRECONDITION` without a host to read the resident from, `PERMISSION_DENIED`.
    func enrol(_ request: CanteenEnrolRequest, by caller: ModuleCaller) async throws -> CanteenEnrolResponse {
        let configuration = try context.configuration(as: CanteenConfiguration.self)
        guard !request.residentID.isEmpty, request.residentID.utf8.count <= 100 else {
            throw RPCError(code: .invalidArgument, message: "resident_id is required (at most 100 bytes)")
        }
        guard request.deliveryAddress.utf8.count <= 400 else { throw RPCError(code: .invalidArgument, message: "delivery_address must be at most 400 bytes") }
        let resident = try await context.resident(request.residentID)
        try caller.requireCommunityWork(in: resident.communityID, Self.work)
        if caller.isMember { try await ledger.learnMember(caller.id, community: resident.communityID) }
        let existing = try await ledger.enrolment(resident.id)
        var enrolment = existing ?? CanteenEnrolment()
        enrolment.residentID = resident.id
        enrolment.name = resident.name
        enrolment.communityID = resident.communityID
        enrolment.gridID = resident.gridID
        enrolment.householdID = resident.householdID
        enrolment.tags = resident.tags
        enrolment.tiers = configuration.tiers(for: resident.tags).map(\.name)
        if !request.deliveryAddress.isEmpty { enrolment.deliveryAddress = request.deliveryAddress }
        if existing == nil {
            enrolment.enrolledBy = caller.provenance
            enrolment.enrolledAt = .init(date: context.clock.now())
        }
        _ = try await context.store.batch([
            .put(try ModuleRecord.make(enrolment, collection: CanteenLedger.enrolments, key: enrolment.residentID, index: ["community": enrolment.communityID]), expectedVersion: nil),
            .delete(collection: CanteenLedger.proposals, key: enrolment.residentID),
        ])
        var response = CanteenEnrolResponse()
        response.enrolment = enrolment
        response.priceFen = configuration.priceFen
        response.subsidyFen = configuration.subsidyFen(for: resident.tags)
        response.payFen = response.priceFen - response.subsidyFen
        // The canteen's `meals` needs of the resident are done: meals are what they asked for.
        response.resolvedNeedIds = await context.resolveNeeds(
            of: enrolment.residentID, category: "meals", ownedBy: "module:canteen", assigningTo: "module:canteen",
            note: "enrolled with the canteen (好味到大食堂) by \(caller.provenance)"
        )
        return response
    }

    /// The residents proposed for enrolment (from visits) and not enrolled.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT`, `PERMISSION_DENIED`.
    func listProposals(_ request: CanteenListProposalsRequest, by caller: ModuleCaller) async throws -> CanteenListProposalsResponse {
        let community = try caller.community(named: request.communityID, Self.work)
        var response = CanteenListProposalsResponse()
        response.proposals = try await context.store.all(CanteenProposal.self, collection: CanteenLedger.proposals, where: ["community": community])
        return response
    }

    // MARK: Orders

    /// Orders a meal for an enrolled resident: a dish of the day's menu, dine-in or delivery,
    /// the price after the subsidy of their tiers. Idempotent by the client's id.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` for a missing id, day, dish or mode,
    ///   `FAILED_PRECONDITION` for a resident not enrolled, a past day, a day without a menu or a
    ///   delivery without an address, `NOT_FOUND` for a dish not on the menu, `ALREADY_EXISTS`
    ///   for an id used for another order, `PERMISSION_DENIED`.
    func placeOrder(_ request: CanteenPlaceOrderRequest, by caller: ModuleCaller) async throws -> CanteenOrder {
        let configuration = try context.configuration(as: CanteenConfiguration.self)
        guard !request.id.isEmpty, request.id.utf8.count <= 100 else {
            throw RPCError(code: .invalidArgument, message: "id is required (the app's id for this order, at most 100 bytes)")
        }
        guard !request.residentID.isEmpty else { throw RPCError(code: .invalidArgument, message: "resident_id is required") }
        try context.calendar.check(request.date)
        guard !request.dishID.isEmpty else { throw RPCError(code: .invalidArgument, message: "dish_id is required") }
        guard request.mode == .dineIn || request.mode == .delivery else {
            throw RPCError(code: .invalidArgument, message: "mode must be dine-in or delivery")
        }
        guard let enrolment = try await ledger.enrolment(request.residentID) else {
            throw RPCError(code: .failedPrecondition, message: "resident \(request.residentID) is not enrolled with the canteen: enrol them first")
        }
        try caller.requireCommunityWork(in: enrolment.communityID, Self.work)
        if let (existing, _) = try await ledger.order(request.id) {
            guard existing.residentID == request.residentID, existing.date == request.date, existing.dishID == request.dishID, existing.mode == request.mode else {
                throw RPCError(code: .alreadyExists, message: "order id \(request.id) is taken by another order")
            }
            return existing
        }
        let today = context.calendar.day(of: request.hasAsOf ? request.asOf.date : context.clock.now())
        guard request.date >= today else {
            throw RPCError(code: .failedPrecondition, message: "\(request.date) is past (today is \(today)): no orders for it")
        }
        guard let menu = try await ledger.menu(community: enrolment.communityID, date: request.date) else {
            throw RPCError(code: .failedPrecondition, message: "no menu for \(enrolment.communityID) on \(request.date)")
        }
        guard let dish = menu.dishes.first(where: { $0.id == request.dishID }) else {
            throw RPCError(code: .notFound, message: "dish \(request.dishID) is not on the menu of \(request.date) (\(menu.dishes.map(\.id).joined(separator: ", ")))")
        }
        if request.mode == .delivery, enrolment.deliveryAddress.isEmpty {
            throw RPCError(code: .failedPrecondition, message: "\(enrolment.name) (\(enrolment.residentID)) has no delivery address: enrol them with one")
        }
        var order = CanteenOrder()
        order.id = request.id
        order.residentID = enrolment.residentID
        order.communityID = enrolment.communityID
        order.date = request.date
        order.dishID = dish.id
        order.dishName = dish.name
        order.mode = request.mode
        order.priceFen = configuration.priceFen
        order.subsidyFen = configuration.subsidyFen(for: enrolment.tags)
        order.payFen = order.priceFen - order.subsidyFen
        order.tiers = configuration.tiers(for: enrolment.tags).map(\.name)
        order.status = .placed
        if request.mode == .delivery { order.deliveryAddress = enrolment.deliveryAddress }
        order.placedBy = caller.provenance
        order.placedAt = .init(date: context.clock.now())
        do {
            try await ledger.putOrder(order, expectedVersion: 0)
        } catch let error as RPCError where error.code == .failedPrecondition {
            throw RPCError(code: .alreadyExists, message: "order id \(request.id) was taken at the same moment", cause: error)
        }
        return order
    }

    /// Cancels an order that is neither delivered nor of a past day.
    /// - Throws: ``RPCError`` `NOT_FOUND`, `FAILED_PRECONDITION`, `PERMISSION_DENIED`.
    func cancelOrder(_ request: CanteenCancelOrderRequest, by caller: ModuleCaller) async throws -> CanteenOrder {
        let (stored, version) = try await existingOrder(request.orderID)
        var order = stored
        try caller.requireCommunityWork(in: order.communityID, Self.work)
        switch order.status {
        case .cancelled: throw RPCError(code: .failedPrecondition, message: "order \(order.id) was cancelled already")
        case .delivered: throw RPCError(code: .failedPrecondition, message: "order \(order.id) was delivered: it cannot be cancelled")
        default: break
        }
        let today = context.calendar.day(of: request.hasAsOf ? request.asOf.date : context.clock.now())
        guard order.date >= today else { throw RPCError(code: .failedPrecondition, message: "order \(order.id) is for \(order.date), which is past") }
        order.status = .cancelled
        order.cancelledBy = caller.provenance
        order.cancelReason = request.reason
        try await save(order, version: version)
        return order
    }

    /// Gives a delivery order to a member, a neighbour, or the partner of the elder's active pair.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` for not exactly one courier, `NOT_FOUND` for an
    ///   unknown order, member or neighbour, `FAILED_PRECONDITION` for a dine-in, cancelled or
    ///   delivered order, an elder without an active pair, or neighbour-pairing not loaded;
    ///   `PERMISSION_DENIED`.
    func assignDelivery(_ request: CanteenAssignDeliveryRequest, by caller: ModuleCaller) async throws -> CanteenOrder {
        let named = [!request.courierMemberID.isEmpty, !request.courierResidentID.isEmpty, request.pairPartner].filter { $0 }.count
        guard named == 1 else {
            throw RPCError(code: .invalidArgument, message: "name exactly one courier: courier_member_id, courier_resident_id or pair_partner")
        }
        let (stored, version) = try await existingOrder(request.orderID)
        var order = stored
        try caller.requireCommunityWork(in: order.communityID, Self.work)
        guard order.mode == .delivery else { throw RPCError(code: .failedPrecondition, message: "order \(order.id) is for dine-in: nothing to deliver") }
        guard order.status == .placed else { throw RPCError(code: .failedPrecondition, message: "order \(order.id) is \(order.status == .cancelled ? "cancelled" : "delivered already")") }
        order.courierMemberID = ""
        order.courierResidentID = ""
        order.courierPairID = ""
        if !request.courierMemberID.isEmpty {
            let known = caller.isMember && request.courierMemberID == caller.id
            let community = known ? order.communityID : try await ledger.memberCommunity(request.courierMemberID)
            guard community == order.communityID else {
                throw RPCError(code: .notFound, message: "member \(request.courierMemberID) is not known to work in \(order.communityID) (canteen knows the members who record visits there or call its methods)")
            }
            order.courierMemberID = request.courierMemberID
        } else if !request.courierResidentID.isEmpty {
            let neighbour = try await context.resident(request.courierResidentID)
            guard neighbour.communityID == order.communityID else {
                throw RPCError(code: .failedPrecondition, message: "\(neighbour.name) (\(neighbour.id)) lives in \(neighbour.communityID), not \(order.communityID)")
            }
            order.courierResidentID = neighbour.id
        } else {
            let pair = try await activePair(of: order.residentID)
            order.courierMemberID = pair.partnerMemberID
            order.courierResidentID = pair.partnerResidentID
            order.courierPairID = pair.id
        }
        try await save(order, version: version)
        return order
    }

    /// A delivery order handed over.
    /// - Throws: ``RPCError`` `NOT_FOUND`, `FAILED_PRECONDITION` for an order not placed for
    ///   delivery or without a courier, `PERMISSION_DENIED`.
    func markDelivered(_ request: CanteenMarkDeliveredRequest, by caller: ModuleCaller) async throws -> CanteenOrder {
        let (stored, version) = try await existingOrder(request.orderID)
        var order = stored
        try caller.requireCommunityWork(in: order.communityID, Self.work)
        guard order.mode == .delivery else { throw RPCError(code: .failedPrecondition, message: "order \(order.id) is for dine-in: nothing to deliver") }
        guard order.status == .placed else { throw RPCError(code: .failedPrecondition, message: "order \(order.id) is \(order.status == .cancelled ? "cancelled" : "delivered already")") }
        guard !order.courierMemberID.isEmpty || !order.courierResidentID.isEmpty else {
            throw RPCError(code: .failedPrecondition, message: "order \(order.id) has no courier yet: assign the delivery first")
        }
        order.status = .delivered
        order.deliveredBy = caller.provenance
        order.deliveredAt = request.hasAt ? request.at : .init(date: context.clock.now())
        try await save(order, version: version)
        return order
    }

    // MARK: Counts

    /// The kitchen's list for a day: dine-in and delivery counts per dish (cancelled orders left
    /// out), delivered and unassigned deliveries, subsidy and takings.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT`, `PERMISSION_DENIED`.
    func dailyCounts(_ request: CanteenDailyCountsRequest, by caller: ModuleCaller) async throws -> CanteenDailyCountsResponse {
        let community = try caller.community(named: request.communityID, Self.work, modulesMayRead: true)
        try context.calendar.check(request.date)
        let menu = try await ledger.menu(community: community, date: request.date)
        let orders = try await ledger.orders(community: community, date: request.date).filter { $0.status != .cancelled }
        var counts: [String: CanteenDishCount] = [:]
        var order: [String] = []
        func count(_ id: String, _ name: String) {
            guard counts[id] == nil else { return }
            var entry = CanteenDishCount()
            entry.dishID = id
            entry.dishName = name
            counts[id] = entry
            order.append(id)
        }
        for dish in menu?.dishes ?? [] { count(dish.id, dish.name) }
        var response = CanteenDailyCountsResponse()
        response.communityID = community
        response.date = request.date
        for placed in orders {
            count(placed.dishID, placed.dishName)
            if placed.mode == .delivery {
                counts[placed.dishID]!.delivery += 1
                response.delivery += 1
                if placed.status == .delivered { response.delivered += 1 }
                if placed.status == .placed, placed.courierMemberID.isEmpty, placed.courierResidentID.isEmpty { response.unassigned += 1 }
            } else {
                counts[placed.dishID]!.dineIn += 1
                response.dineIn += 1
            }
            response.subsidyFen += placed.subsidyFen
            response.payFen += placed.payFen
        }
        response.dishes = order.map { counts[$0]! }
        return response
    }

    // MARK: Helpers

    func existingOrder(_ id: String) async throws -> (CanteenOrder, UInt64) {
        guard !id.isEmpty else { throw RPCError(code: .invalidArgument, message: "order_id is required") }
        guard let (order, version) = try await ledger.order(id) else { throw RPCError(code: .notFound, message: "no order \(id)") }
        return (order, version)
    }

    func save(_ order: CanteenOrder, version: UInt64) async throws {
        try await RPCError.abortingOnVersionConflict("order \(order.id) changed meanwhile; try again") {
            try await ledger.putOrder(order, expectedVersion: version)
        }
    }

    /// The elder's active pair, from neighbour-pairing through the host (which vouches for the
    /// call as the canteen's; neighbour-pairing lets modules read pairs).
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` for no active pair or neighbour-pairing not loaded.
    func activePair(of residentID: String) async throws -> CanteenPairEntry {
        guard let host = context.host else { throw RPCError(code: .failedPrecondition, message: "no host to ask neighbour-pairing through") }
        var query = CanteenPairsQuery()
        query.elderResidentID = residentID
        query.asOf = .init(date: context.clock.now())
        let answer: CanteenPairsAnswer
        do {
            answer = try await host.call(Canteen.pairsOfElder, query, options: CallOptions(timeout: .seconds(5)))
        } catch let error as RPCError where error.code == .unimplemented {
            throw RPCError(code: .failedPrecondition, message: "neighbour-pairing is not loaded on this host: name the courier instead", cause: error)
        }
        guard let pair = answer.pairs.first(where: { $0.active && $0.elderResidentID == residentID }) else {
            throw RPCError(code: .failedPrecondition, message: "resident \(residentID) has no active pair (邻里结亲): name the courier instead")
        }
        return pair
    }
}
