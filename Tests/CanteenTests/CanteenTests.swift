import Foundation
import KnockModuleKit
import KnockTestSupport
import Testing
@testable import Canteen

/// canteen's rules with a hand-built context: a scripted host, a memory store, a fixed clock.
@Suite("Community canteen (社区好味到大食堂)")
struct CanteenTests {
    typealias World = CanteenWorld

    /// A visit by m-1 to r-1 with `observations`, and the records that come with it (`nil`:
    /// none came, as from a host without them).
    static func visit(_ id: String, observations: String, records: [ModuleRecord]? = nil) -> ModuleAssessRequest {
        var request = ModuleAssessRequest()
        request.visit.id = id
        request.visit.memberID = "m-1"
        request.visit.residentID = "r-1"
        request.visit.observations = observations
        request.resident = World.residents[0]
        request.communityID = "qinghe"
        if let records {
            request.visitRecords.collections = CanteenLedger.visitRecords
            request.visitRecords.found = records
        }
        return request
    }

    @Test("the descriptor is valid, names every method and embeds their schemas for knock call")
    func descriptor() throws {
        let descriptor = Canteen().descriptor
        try descriptor.validate()
        #expect(descriptor.id == "canteen")
        #expect(descriptor.permissions == ["residents.read", "needs.read", "needs.write"])
        #expect(!descriptor.fileDescriptorSet.isEmpty)
        #expect(descriptor.methods.allSatisfy { $0.name.hasPrefix("canteen.") })
    }

    @Test("configuration: defaults, amounts in yuan, tiers by tags; a bad value is an error naming its key")
    func configuration() throws {
        let defaults = try CanteenConfiguration([:])
        #expect(defaults.priceFen == 1_500)
        #expect(defaults.tiers.map(\.name) == ["advanced-age", "low-income"])
        #expect(defaults.rule == .max)
        let custom = try CanteenConfiguration([
            "price": "12.5", "subsidy.advanced-age": "4", "subsidy.low-income.tags": "unemployed, disabled",
            "subsidy.living-alone": "2.05", "subsidy.living-alone.tags": "living-alone", "subsidy.rule": "sum", "meal_words": "午饭, 送饭",
        ])
        #expect(custom.priceFen == 1_250)
        #expect(custom.tiers.map(\.name) == ["advanced-age", "living-alone", "low-income"])
        #expect(custom.tiers.map(\.subsidyFen) == [400, 205, 800])
        #expect(custom.tiers.last?.tags == [.unemployed, .disabled])
        #expect(custom.mealWords == ["午饭", "送饭"])
        let bad: [([String: String], String)] = [
            (["price": "abc"], "price"), (["price": "15.555"], "price"), (["price": "-1"], "price"), (["price": "0"], "price"),
            (["price": "+15"], "price"), (["subsidy.rule": "avg"], "subsidy.rule"), (["subsidy.advanced-age": "5元"], "subsidy.advanced-age"),
            (["subsidy.veteran": "3"], "subsidy.veteran"), (["subsidy.low-income.tags": "poor"], "subsidy.low-income.tags"),
            (["subsidy.veteran.tags": "elderly"], "subsidy.veteran.tags"), (["subsidy.low-income": "20"], "subsidy.low-income"),
            (["meal_words": " , "], "meal_words"), (["prices": "15"], "prices"),
        ]
        for (values, key) in bad {
            let error = try #require(throws: RPCError.self) { try CanteenConfiguration(values) }
            #expect(error.message.contains(key), "\(values): \(error.message)")
        }
    }

    @Test("the subsidy is the largest of the resident's tiers, or their sum under subsidy.rule=sum, never above the price")
    func subsidies() throws {
        let max = try CanteenConfiguration([:])
        #expect(max.subsidyFen(for: [.advancedAge]) == 500)
        #expect(max.subsidyFen(for: [.advancedAge, .unemployed]) == 800)
        #expect(max.subsidyFen(for: [.emptyNest]) == 0)
        let sum = try CanteenConfiguration(["subsidy.rule": "sum"])
        #expect(sum.subsidyFen(for: [.advancedAge, .unemployed]) == 1_300)
        let capped = try CanteenConfiguration(["subsidy.rule": "sum", "price": "10", "subsidy.low-income": "8"])
        #expect(capped.subsidyFen(for: [.advancedAge, .unemployed]) == 1_000)
        let off = try CanteenConfiguration(["subsidy.advanced-age": "0"])
        #expect(off.tiers(for: [.advancedAge]).isEmpty)
    }

    @Test("a visit showing a resident needs meals proposes them for enrolment with a meals need; once enrolled, nothing")
    func assess() async throws {
        let world = World()
        func visit(_ resident: CommunityResident, requests: [String] = [], observations: String = "") -> ModuleAssessRequest {
            var request = ModuleAssessRequest()
            request.visit.id = "v-\(resident.id)"
            request.visit.memberID = "m-1"
            request.visit.residentID = resident.id
            request.visit.requests = requests
            request.visit.observations = observations
            request.resident = resident
            request.communityID = resident.communityID
            return request
        }
        let suggestions = try await world.module.assess(visit(World.residents[0], requests: ["希望送餐上门", "不能做饭了"]), context: world.context)
        let need = try #require(suggestions.first?.raiseNeed)
        #expect(suggestions.count == 1)
        #expect(need.category == "meals")
        #expect(need.ownerModule == "canteen")
        #expect(need.residentID == "r-1")
        let proposals = try await world.counter.listProposals(CanteenListProposalsRequest(), by: World.staff)
        #expect(proposals.proposals.map(\.residentID) == ["r-1"])
        #expect(proposals.proposals.first?.matched == ["送餐", "做饭", "不能做饭"])
        #expect(try await world.module.assess(visit(World.residents[1], observations: "精神不错"), context: world.context).isEmpty)
        #expect(try await world.module.assess(visit(World.residents[1], observations: "Says she CANNOT COOK any more"), context: world.context).count == 1)
        _ = try await world.enrol("r-1")
        #expect(try await world.module.assess(visit(World.residents[0], requests: ["送餐"]), context: world.context).isEmpty)
        #expect(try await world.counter.listProposals(CanteenListProposalsRequest(), by: World.staff).proposals.map(\.residentID) == ["r-2"])
        var configured = World(configuration: ["meal_words": "午饭"])
        configured.configuration["meal_words"] = "午饭"
        #expect(try await configured.module.assess(visit(World.residents[1], requests: ["送餐"]), context: configured.context).isEmpty)
        #expect(try await configured.module.assess(visit(World.residents[1], requests: ["午饭没人做"]), context: configured.context).count == 1)
    }

    @Test("a proposal stands as the first visit made it: later visits add only new meal words, and one with none writes nothing")
    func proposalKept() async throws {
        let world = World()
        #expect(try await world.module.assess(Self.visit("v-1", observations: "说想要送餐"), context: world.context).count == 1)
        world.clock.advance(by: 3_600)
        let first = try #require(try await world.store.get(collection: "proposals", key: "r-1"))

        // The same words again: the need is suggested again (the host finds it a duplicate), the proposal is not rewritten.
        #expect(try await world.module.assess(Self.visit("v-2", observations: "还是要送餐"), context: world.context).count == 1)
        #expect(try await world.store.get(collection: "proposals", key: "r-1")?.version == first.version)

        // New words are added; the first visit and time stay.
        #expect(try await world.module.assess(Self.visit("v-3", observations: "不能做饭了，要送餐"), context: world.context).count == 1)
        let proposal = try #require(try await world.counter.listProposals(CanteenListProposalsRequest(), by: World.staff).proposals.first)
        #expect(proposal.matched == ["送餐", "做饭", "不能做饭"])
        #expect(proposal.visitID == "v-1")
        #expect(proposal.proposedAt.date == World.morning)
    }

    @Test("the enrolment and the proposal come with the visit; a proposal changed since is read again from the store and no word is lost")
    func recordsWithVisit() async throws {
        let world = World()
        #expect(Canteen().descriptor.visitRecords == ["enrolments", "proposals"])
        #expect(try await world.module.assess(Self.visit("v-1", observations: "要送餐", records: []), context: world.context).count == 1)
        let first = try #require(try await world.store.get(collection: "proposals", key: "r-1"))

        // Another visit adds a word; then one comes with the proposal as it was before that.
        #expect(try await world.module.assess(Self.visit("v-2", observations: "不能做饭了", records: [first]), context: world.context).count == 1)
        #expect(try await world.module.assess(Self.visit("v-3", observations: "想去吃饭", records: [first]), context: world.context).count == 1)
        let proposal = try #require(try await world.store.get(CanteenProposal.self, collection: "proposals", key: "r-1"))
        #expect(proposal.matched == ["送餐", "做饭", "不能做饭", "吃饭"])
        #expect(proposal.visitID == "v-1")

        // An enrolment that came with the visit: not proposed, nothing suggested.
        var enrolment = ModuleRecord()
        enrolment.collection = "enrolments"
        enrolment.key = "r-1"
        enrolment.value = try CanteenEnrolment.with { $0.residentID = "r-1" }.serializedData()
        enrolment.version = 1
        #expect(try await world.module.assess(Self.visit("v-4", observations: "要送餐", records: [enrolment]), context: world.context).isEmpty)
    }

    @Test("enrolment reads the resident from the host: tiers from tags, the price after subsidy; unknown residents and outsiders refused")
    func enrolment() async throws {
        let world = World()
        let enrolled = try await world.enrol("r-6")
        #expect(enrolled.enrolment.tiers == ["advanced-age", "low-income"])
        #expect(enrolled.priceFen == 1_500)
        #expect(enrolled.subsidyFen == 800)
        #expect(enrolled.payFen == 700)
        #expect(enrolled.enrolment.enrolledBy == "member:m-2")
        let unknown = try await #require(throws: RPCError.self) { try await world.enrol("r-9") }
        #expect(unknown.code == .notFound)
        let foreign = try await #require(throws: RPCError.self) {
            try await world.counter.enrol(CanteenEnrolRequest.with { $0.residentID = "r-4" }, by: World.staff)
        }
        #expect(foreign.code == .permissionDenied)
        let empty = try await #require(throws: RPCError.self) { try await world.counter.enrol(CanteenEnrolRequest(), by: World.staff) }
        #expect(empty.code == .invalidArgument)
    }

    @Test("menus: set for today or later, read back; a past day, duplicate or missing dishes and other communities are refused")
    func menus() async throws {
        let world = World()
        var request = World.menu(World.tomorrow)
        let menu = try await world.counter.setMenu(request, by: World.staff)
        #expect(menu.communityID == "qinghe")
        #expect(try await world.counter.getMenu(CanteenGetMenuRequest.with { $0.date = World.tomorrow }, by: World.volunteer) == menu)
        let missing = try await #require(throws: RPCError.self) { try await world.counter.getMenu(CanteenGetMenuRequest.with { $0.date = "2026-12-02" }, by: World.staff) }
        #expect(missing.code == .notFound)
        let cases: [(CanteenSetMenuRequest, ModuleCaller, StatusCode)] = [
            (World.menu("2026-11-28"), World.staff, .failedPrecondition),
            (World.menu("2026-11-31"), World.staff, .invalidArgument),
            (World.menu(World.tomorrow, dishes: []), World.staff, .invalidArgument),
            (World.menu(World.tomorrow, dishes: [("d1", "a"), ("d1", "b")]), World.staff, .invalidArgument),
            (World.menu(World.tomorrow, dishes: [("d1", " ")]), World.staff, .invalidArgument),
            (World.menu(World.tomorrow).with { $0.communityID = "qinghe" }, World.outsider, .permissionDenied),
            (World.menu(World.tomorrow), World.administrator, .invalidArgument),
        ]
        for (request, caller, code) in cases {
            let error = try await #require(throws: RPCError.self) { try await world.counter.setMenu(request, by: caller) }
            #expect(error.code == code, "\(request)")
        }
        // As of a given time: yesterday's menu may be set while it was today.
        request = World.menu("2026-11-29")
        request.asOf = .init(date: World.morning.addingTimeInterval(-86_400))
        #expect(try await world.counter.setMenu(request, by: World.staff).date == "2026-11-29")
    }

    @Test("orders: the price after the resident's subsidy; refused for a day without a menu, an unknown dish, an unenrolled resident, a past day")
    func orders() async throws {
        let world = World()
        _ = try await world.counter.setMenu(World.menu(World.tomorrow), by: World.staff)
        _ = try await world.counter.setMenu(World.menu(World.today), by: World.staff)
        _ = try await world.enrol("r-1")
        _ = try await world.enrol("r-2", address: "")
        let order = try await world.counter.placeOrder(World.order("o-1", "r-1"), by: World.volunteer)
        #expect(order.status == .placed)
        #expect(order.priceFen == 1_500)
        #expect(order.subsidyFen == 500)
        #expect(order.payFen == 1_000)
        #expect(order.tiers == ["advanced-age"])
        #expect(order.dishName == "红烧肉套餐")
        #expect(order.deliveryAddress == "青和居 1栋1单元101")
        #expect(try await world.counter.placeOrder(World.order("o-1", "r-1"), by: World.volunteer) == order)
        let dineIn = try await world.counter.placeOrder(World.order("o-2", "r-2", World.today, dish: "d2", mode: .dineIn), by: World.volunteer)
        #expect(dineIn.payFen == 1_500)

        let cases: [(CanteenPlaceOrderRequest, StatusCode, String)] = [
            (World.order("o-1", "r-1", dish: "d2"), .alreadyExists, "taken"),
            (World.order("o-3", "r-1", "2026-12-02"), .failedPrecondition, "no menu"),
            (World.order("o-3", "r-1", dish: "d9"), .notFound, "not on the menu"),
            (World.order("o-3", "r-6"), .failedPrecondition, "not enrolled"),
            (World.order("o-3", "r-1", "2026-11-28"), .failedPrecondition, "is past"),
            (World.order("o-3", "r-2"), .failedPrecondition, "no delivery address"),
            (World.order("o-3", "r-1", mode: .unspecified), .invalidArgument, "mode"),
            (World.order("", "r-1"), .invalidArgument, "id is required"),
            (World.order("o-3", "r-1", "tomorrow"), .invalidArgument, "YYYY-MM-DD"),
        ]
        for (request, code, message) in cases {
            let error = try await #require(throws: RPCError.self) { try await world.counter.placeOrder(request, by: World.staff) }
            #expect(error.code == code, "\(request)")
            #expect(error.message.contains(message), "\(error.message)")
        }
        let outsider = try await #require(throws: RPCError.self) { try await world.counter.placeOrder(World.order("o-3", "r-1"), by: World.outsider) }
        #expect(outsider.code == .permissionDenied)
        // A dish with orders cannot be dropped from the menu.
        let drop = try await #require(throws: RPCError.self) { try await world.counter.setMenu(World.menu(World.tomorrow, dishes: [("d2", "清蒸鱼套餐")]), by: World.staff) }
        #expect(drop.code == .failedPrecondition)
        let counts = try await world.counter.dailyCounts(CanteenDailyCountsRequest.with { $0.date = World.tomorrow }, by: World.staff)
        #expect(counts.dishes.map(\.delivery) == [1, 0])
        #expect(counts.delivery == 1)
        #expect(counts.unassigned == 1)
    }

    @Test("cancelling: an order not delivered and not past; cancelled orders leave the kitchen's counts")
    func cancel() async throws {
        let world = World()
        _ = try await world.counter.setMenu(World.menu(World.tomorrow), by: World.staff)
        _ = try await world.enrol("r-1")
        _ = try await world.counter.placeOrder(World.order("o-1", "r-1", mode: .dineIn), by: World.staff)
        _ = try await world.counter.placeOrder(World.order("o-2", "r-1", dish: "d2", mode: .dineIn), by: World.staff)
        let cancelled = try await world.counter.cancelOrder(CanteenCancelOrderRequest.with { $0.orderID = "o-1"; $0.reason = "住院" }, by: World.volunteer)
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.cancelledBy == "member:m-1")
        let twice = try await #require(throws: RPCError.self) { try await world.counter.cancelOrder(CanteenCancelOrderRequest.with { $0.orderID = "o-1" }, by: World.staff) }
        #expect(twice.code == .failedPrecondition)
        let late = try await #require(throws: RPCError.self) {
            try await world.counter.cancelOrder(CanteenCancelOrderRequest.with { $0.orderID = "o-2"; $0.asOf = .init(date: World.morning.addingTimeInterval(2 * 86_400)) }, by: World.staff)
        }
        #expect(late.code == .failedPrecondition)
        let unknown = try await #require(throws: RPCError.self) { try await world.counter.cancelOrder(CanteenCancelOrderRequest.with { $0.orderID = "o-9" }, by: World.staff) }
        #expect(unknown.code == .notFound)
        let counts = try await world.counter.dailyCounts(CanteenDailyCountsRequest.with { $0.date = World.tomorrow }, by: World.staff)
        #expect(counts.dishes.map(\.dineIn) == [0, 1])
        #expect(counts.dineIn == 1)
        #expect(counts.subsidyFen == 500)
        #expect(counts.payFen == 1_000)
    }

    @Test("deliveries go to a known member, a neighbour of the community or the elder's pair partner; delivered once; counted")
    func deliveries() async throws {
        var pair = CanteenPairEntry()
        pair.id = "p-1"
        pair.elderResidentID = "r-1"
        pair.partnerResidentID = "r-2"
        pair.partnerName = "刘建国"
        pair.active = true
        let world = World(pairs: [pair])
        _ = try await world.counter.setMenu(World.menu(World.tomorrow), by: World.staff)
        _ = try await world.enrol("r-1")
        for id in ["o-1", "o-2", "o-3"] { _ = try await world.counter.placeOrder(World.order(id, "r-1"), by: World.staff) }
        _ = try await world.counter.placeOrder(World.order("o-4", "r-1", mode: .dineIn), by: World.staff)

        let toPartner = try await world.counter.assignDelivery(CanteenAssignDeliveryRequest.with { $0.orderID = "o-1"; $0.pairPartner = true }, by: World.staff)
        #expect(toPartner.courierResidentID == "r-2")
        #expect(toPartner.courierPairID == "p-1")
        #expect(world.host.calls.contains("neighbour-pairing.ListPairs"))
        let toNeighbour = try await world.counter.assignDelivery(CanteenAssignDeliveryRequest.with { $0.orderID = "o-2"; $0.courierResidentID = "r-2" }, by: World.staff)
        #expect(toNeighbour.courierResidentID == "r-2")
        // m-1 is known once they have worked here (here: called the canteen); m-9 is not.
        let unknown = try await #require(throws: RPCError.self) {
            try await world.counter.assignDelivery(CanteenAssignDeliveryRequest.with { $0.orderID = "o-3"; $0.courierMemberID = "m-9" }, by: World.staff)
        }
        #expect(unknown.code == .notFound)
        let own = try await world.counter.assignDelivery(CanteenAssignDeliveryRequest.with { $0.orderID = "o-3"; $0.courierMemberID = "m-1" }, by: World.volunteer)
        #expect(own.courierMemberID == "m-1")

        let refusals: [(CanteenAssignDeliveryRequest, StatusCode)] = [
            (.with { $0.orderID = "o-4"; $0.courierResidentID = "r-2" }, .failedPrecondition),
            (.with { $0.orderID = "o-1" }, .invalidArgument),
            (.with { $0.orderID = "o-1"; $0.courierResidentID = "r-2"; $0.pairPartner = true }, .invalidArgument),
            (.with { $0.orderID = "o-1"; $0.courierResidentID = "r-4" }, .failedPrecondition),
            (.with { $0.orderID = "o-1"; $0.courierResidentID = "r-9" }, .notFound),
        ]
        for (request, code) in refusals {
            let error = try await #require(throws: RPCError.self) { try await world.counter.assignDelivery(request, by: World.staff) }
            #expect(error.code == code, "\(request)")
        }
        let delivered = try await world.counter.markDelivered(CanteenMarkDeliveredRequest.with { $0.orderID = "o-1" }, by: World.staff)
        #expect(delivered.status == .delivered)
        let twice = try await #require(throws: RPCError.self) { try await world.counter.markDelivered(CanteenMarkDeliveredRequest.with { $0.orderID = "o-1" }, by: World.staff) }
        #expect(twice.code == .failedPrecondition)
        let cancelDelivered = try await #require(throws: RPCError.self) { try await world.counter.cancelOrder(CanteenCancelOrderRequest.with { $0.orderID = "o-1" }, by: World.staff) }
        #expect(cancelDelivered.code == .failedPrecondition)
        let counts = try await world.counter.dailyCounts(CanteenDailyCountsRequest.with { $0.date = World.tomorrow }, by: World.staff)
        #expect(counts.delivery == 3)
        #expect(counts.dineIn == 1)
        #expect(counts.delivered == 1)
        #expect(counts.unassigned == 0)
        #expect(counts.dishes.map(\.dishID) == ["d1", "d2"])
        #expect(counts.dishes.first?.delivery == 3)
    }

    @Test("a delivery to the pair partner needs neighbour-pairing loaded and an active pair; without a courier nothing is delivered")
    func partnerMissing() async throws {
        for world in [World(), World(pairs: [])] {
            _ = try await world.counter.setMenu(World.menu(World.tomorrow), by: World.staff)
            _ = try await world.enrol("r-1")
            _ = try await world.counter.placeOrder(World.order("o-1", "r-1"), by: World.staff)
            let error = try await #require(throws: RPCError.self) {
                try await world.counter.assignDelivery(CanteenAssignDeliveryRequest.with { $0.orderID = "o-1"; $0.pairPartner = true }, by: World.staff)
            }
            #expect(error.code == .failedPrecondition)
            let undelivered = try await #require(throws: RPCError.self) {
                try await world.counter.markDelivered(CanteenMarkDeliveredRequest.with { $0.orderID = "o-1" }, by: World.staff)
            }
            #expect(undelivered.code == .failedPrecondition)
            #expect(undelivered.message.contains("no courier"))
        }
    }
}

extension CanteenSetMenuRequest {
    func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }
}
