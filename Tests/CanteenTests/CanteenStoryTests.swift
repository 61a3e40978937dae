import Foundation
import KnockModuleKit
import KnockTestSupport
import Canteen
import SwiftProtobuf
import NeighbourPairing
import Testing

/// canteen inside a real host, next to neighbour-pairing: members call it over mutual TLS, a visit
/// proposes an elder for meals, and her delivery goes to her paired neighbour.
@Suite("Community canteen in the host")
struct CanteenStoryTests {
    static let tomorrow = "2026-12-01"

    @Test("an elder who can no longer cook gets canteen meals delivered by her paired neighbour")
    func mealsByPairedNeighbour() async throws {
        try await CommunityFixture.with(builtIns: [NeighbourPairing(), Canteen()]) { street in
            let volunteer = try await street.connect(.member, "m-1")
            let staff = try await street.connect(.member, "m-2")
            let outsider = try await street.connect(.member, "m-3")
            defer { volunteer.close(); staff.close(); outsider.close() }
            let asOf = Google_Protobuf_Timestamp(date: CommunityFixture.morning)

            // 张秀英 (88, living alone) is paired with her neighbour 刘建国.
            var pairing = NeighbourPairingPairRequest()
            pairing.id = "p-1"
            pairing.elderResidentID = "r-1"
            pairing.partnerResidentID = "r-2"
            pairing.at = asOf
            _ = try await staff.call(NeighbourPairing.pair, pairing)

            // A visit: she can no longer cook. canteen's suggestion is in the answer.
            var visit = CommunityFixture.visit("v-1", resident: "r-1", requests: ["希望送餐上门", "不能做饭了"])
            visit.visit.observations = "腿脚不便"
            let recorded = try await volunteer.call(CommunityMethods.recordVisit, visit)
            let meals = try #require(recorded.raised.first { $0.suggestion.raiseNeed.category == "meals" })
            #expect(meals.suggestion.suggestedBy == "canteen")
            #expect(meals.outcome == .applied)
            #expect(meals.suggestion.raiseNeed.ownerModule == "canteen")
            var needs = CommunityListNeedsRequest()
            needs.category = "meals"
            let listed = try await staff.call(CommunityMethods.listNeeds, needs)
            #expect(listed.needs.map(\.residentID) == ["r-1"])
            #expect(listed.needs.first?.owner == "module:canteen")
            let proposals = try await staff.call(Canteen.listProposals, CanteenListProposalsRequest())
            #expect(proposals.proposals.map(\.residentID) == ["r-1"])
            #expect(proposals.proposals.first?.visitID == "v-1")

            // Enrolled: advanced age, 5 yuan off a 15-yuan meal.
            var enrol = CanteenEnrolRequest()
            enrol.residentID = "r-1"
            enrol.deliveryAddress = "青和居 1栋1单元101"
            let enrolled = try await staff.call(Canteen.enrol, enrol)
            #expect(enrolled.enrolment.tiers == ["advanced-age"])
            #expect(enrolled.payFen == 1_000)
            // Her meals need is met by the enrolment.
            #expect(enrolled.resolvedNeedIds == [meals.recordID])
            #expect(try await staff.call(CommunityMethods.listNeeds, needs).needs.isEmpty)
            let need = try await staff.call(CommunityMethods.getNeed, CommunityGetNeedRequest.with { $0.id = meals.recordID })
            #expect(need.status == .resolved)
            #expect(need.history.last?.by == "module:canteen")
            #expect(try await staff.call(Canteen.listProposals, CanteenListProposalsRequest()).proposals.isEmpty)
            let foreign = try await #require(throws: RPCError.self) { try await outsider.call(Canteen.enrol, enrol) }
            #expect(foreign.code == .permissionDenied)

            // Tomorrow's menu, and her delivery order.
            var menu = CanteenSetMenuRequest()
            menu.date = Self.tomorrow
            menu.asOf = asOf
            menu.dishes = [CanteenDish.with { $0.id = "d1"; $0.name = "番茄炒蛋套餐" }, CanteenDish.with { $0.id = "d2"; $0.name = "清蒸鱼套餐" }]
            _ = try await staff.call(Canteen.setMenu, menu)
            var order = CanteenPlaceOrderRequest()
            order.id = "o-1"
            order.residentID = "r-1"
            order.date = Self.tomorrow
            order.dishID = "d1"
            order.mode = .delivery
            order.asOf = asOf
            let placed = try await volunteer.call(Canteen.placeOrder, order)
            #expect(placed.payFen == 1_000)
            #expect(placed.deliveryAddress == "青和居 1栋1单元101")
            var unknownDish = order
            unknownDish.id = "o-2"
            unknownDish.dishID = "d9"
            #expect(try await #require(throws: RPCError.self) { try await volunteer.call(Canteen.placeOrder, unknownDish) }.code == .notFound)
            var unenrolled = order
            unenrolled.id = "o-3"
            unenrolled.residentID = "r-2"
            #expect(try await #require(throws: RPCError.self) { try await volunteer.call(Canteen.placeOrder, unenrolled) }.code == .failedPrecondition)

            // Delivered by her pair partner, looked up from neighbour-pairing through the host.
            var assign = CanteenAssignDeliveryRequest()
            assign.orderID = "o-1"
            assign.pairPartner = true
            let assigned = try await staff.call(Canteen.assignDelivery, assign)
            #expect(assigned.courierResidentID == "r-2")
            #expect(assigned.courierPairID == "p-1")
            var delivered = CanteenMarkDeliveredRequest()
            delivered.orderID = "o-1"
            delivered.at = .init(date: CommunityFixture.morning.addingTimeInterval(86_400 + 3 * 3_600))
            #expect(try await staff.call(Canteen.markDelivered, delivered).status == .delivered)

            // The kitchen's counts for the day.
            var countsRequest = CanteenDailyCountsRequest()
            countsRequest.date = Self.tomorrow
            let counts = try await staff.call(Canteen.dailyCounts, countsRequest)
            #expect(counts.dishes.map(\.dishID) == ["d1", "d2"])
            #expect(counts.dishes.map(\.delivery) == [1, 0])
            #expect(counts.delivery == 1)
            #expect(counts.delivered == 1)
            #expect(counts.dineIn == 0)
            #expect(counts.subsidyFen == 500)

            // The neighbour's check-in on delivering counts as a knock: a visit stored for her.
            var checkIn = NeighbourPairingCheckInRequest()
            checkIn.id = "c-1"
            checkIn.pairID = "p-1"
            checkIn.at = delivered.at
            checkIn.observations = "送餐到家，老人吃得好"
            let checked = try await staff.call(NeighbourPairing.checkIn, checkIn)
            #expect(!checked.duplicate)
            #expect(checked.visit.residentID == "r-1")
            #expect(checked.visit.channel == .door)
            let keyPersons = try await staff.call(CommunityMethods.listKeyPersons, CommunityListKeyPersonsRequest())
            #expect(keyPersons.keyPersons.first { $0.residentID == "r-1" }?.lastKnockAt == delivered.at)
            #expect(try await staff.call(CommunityMethods.recordVisit, CommunityRecordVisitRequest.with { $0.visit = checked.visit }).duplicate)
        }
    }
}
