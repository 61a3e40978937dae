import Foundation
import KnockModuleKit
import KnockTestSupport
import Logging
@testable import Canteen

/// A hand-built world for canteen's unit tests: 青和居's residents, a scripted host (which can
/// answer neighbour-pairing.ListPairs), a memory store, a fixed clock (2026-11-30 10:00 in Wuhan).
struct CanteenWorld {
    static let morning = Date(timeIntervalSince1970: 1_796_004_000)
    static let today = "2026-11-30"
    static let tomorrow = "2026-12-01"
    let host: ScriptedHost
    let store = MemoryModuleStore()
    let clock = ManualClock(CanteenWorld.morning)
    let module = Canteen()
    var configuration: [String: String] = [:]

    static let staff = ModuleCaller(identity: "knock://member/m-2", roles: ["staff"], communityID: "qinghe", gridIDs: ["qinghe-g02", "qinghe-g01"])
    static let volunteer = ModuleCaller(identity: "knock://member/m-1", roles: ["volunteer"], communityID: "qinghe", gridIDs: ["qinghe-g01"])
    static let outsider = ModuleCaller(identity: "knock://member/m-3", roles: ["partyMember"], communityID: "qingyi", gridIDs: ["qingyi-g01"])
    static let administrator = ModuleCaller(identity: "knock://admin/admin")

    static func resident(_ id: String, _ name: String, _ tags: [CommunityResidentTag], community: String = "qinghe") -> CommunityResident {
        var resident = CommunityResident()
        resident.id = id
        resident.name = name
        resident.tags = tags
        resident.communityID = community
        resident.gridID = "\(community)-g01"
        resident.householdID = "h-\(id)"
        return resident
    }

    static let residents = [
        resident("r-1", "张秀英", [.elderly, .livingAlone, .advancedAge]),
        resident("r-2", "刘建国", [.elderly, .emptyNest]),
        resident("r-4", "周桂兰", [.elderly, .livingAlone], community: "qingyi"),
        resident("r-6", "孙德明", [.elderly, .advancedAge, .unemployed]),
    ]

    /// - Parameter pairs: What neighbour-pairing.ListPairs answers; `nil`: not loaded.
    init(configuration: [String: String] = [:], pairs: [CanteenPairEntry]? = nil) {
        var others: [String: @Sendable (Any) throws -> Any] = [:]
        if let pairs {
            others[Canteen.pairsOfElder.name] = { request in
                let query = request as! CanteenPairsQuery
                var answer = CanteenPairsAnswer()
                answer.pairs = pairs.filter { $0.elderResidentID == query.elderResidentID }
                return answer
            }
        }
        host = ScriptedHost(residents: Self.residents, others: others)
        self.configuration = configuration
    }

    var context: ModuleContext {
        ModuleContext(moduleID: "canteen", logger: Logger(label: "test.canteen"), clock: clock, configuration: configuration, store: store, host: host)
    }

    var counter: CanteenCounter { CanteenCounter(context: context) }

    static func menu(_ date: String, dishes: [(String, String)] = [("d1", "红烧肉套餐"), ("d2", "清蒸鱼套餐")]) -> CanteenSetMenuRequest {
        var request = CanteenSetMenuRequest()
        request.date = date
        request.dishes = dishes.map { id, name in CanteenDish.with { $0.id = id; $0.name = name } }
        return request
    }

    static func order(_ id: String, _ resident: String, _ date: String = tomorrow, dish: String = "d1", mode: CanteenMode = .delivery) -> CanteenPlaceOrderRequest {
        var request = CanteenPlaceOrderRequest()
        request.id = id
        request.residentID = resident
        request.date = date
        request.dishID = dish
        request.mode = mode
        return request
    }

    func enrol(_ resident: String, address: String = "青和居 1栋1单元101") async throws -> CanteenEnrolResponse {
        try await counter.enrol(CanteenEnrolRequest.with { $0.residentID = resident; $0.deliveryAddress = address }, by: Self.staff)
    }
}
