import Foundation
import KnockModuleKit
import KnockTestSupport
import Logging
@testable import NeighbourPairing

/// A hand-built world for neighbour-pairing's unit tests: 青和居's residents, a scripted host,
/// a memory store and a fixed clock (2026-11-30 10:00 in Wuhan).
struct PairingWorld {
    static let morning = Date(timeIntervalSince1970: 1_796_004_000)
    let host: ScriptedHost
    let store = MemoryModuleStore()
    let clock = ManualClock(PairingWorld.morning)
    let module = NeighbourPairing()
    var configuration: [String: String] = [:]

    static let staff = ModuleCaller(identity: "knock://member/m-2", roles: ["staff"], communityID: "qinghe", gridIDs: ["qinghe-g02", "qinghe-g01"])
    static let volunteer = ModuleCaller(identity: "knock://member/m-1", roles: ["volunteer"], communityID: "qinghe", gridIDs: ["qinghe-g01"])
    static let outsider = ModuleCaller(identity: "knock://member/m-3", roles: ["partyMember"], communityID: "qingyi", gridIDs: ["qingyi-g01"])
    static let officer = ModuleCaller(identity: "knock://member/m-7", roles: ["departmentOfficer"], communityID: "qinghe")
    static let administrator = ModuleCaller(identity: "knock://admin/admin")
    static let integrator = ModuleCaller(identity: "knock://integrator/hotline")

    static func resident(_ id: String, _ name: String, _ tags: [CommunityResidentTag], grid: String, household: String) -> CommunityResident {
        var resident = CommunityResident()
        resident.id = id
        resident.name = name
        resident.tags = tags
        resident.gridID = grid
        resident.householdID = household
        resident.communityID = grid.hasPrefix("qinghe") ? "qinghe" : "qingyi"
        return resident
    }

    static let residents = [
        resident("r-1", "张秀英", [.elderly, .livingAlone, .advancedAge], grid: "qinghe-g01", household: "h-1"),
        resident("r-2", "刘建国", [.elderly, .emptyNest], grid: "qinghe-g02", household: "h-2"),
        resident("r-3", "陈小明", [.child], grid: "qingyi-g01", household: "h-3"),
        resident("r-4", "周桂兰", [.elderly, .livingAlone], grid: "qingyi-g01", household: "h-4"),
        resident("r-5", "吴小军", [.youngAdult], grid: "qinghe-g01", household: "h-5"),
    ]

    init(configuration: [String: String] = [:]) {
        host = ScriptedHost(residents: Self.residents)
        self.configuration = configuration
    }

    var context: ModuleContext {
        ModuleContext(moduleID: "neighbour-pairing", logger: Logger(label: "test.neighbour-pairing"), clock: clock,
                      configuration: configuration, store: store, host: host)
    }

    /// The methods' handlers, given the caller the host vouched for.
    var office: PairingOffice { PairingOffice(context: context) }

    /// A visit as a member recorded it, for assess.
    static func assessment(_ resident: CommunityResident, member: String = "m-1", at: Date = morning) -> ModuleAssessRequest {
        var request = ModuleAssessRequest()
        request.visit.id = "v-\(resident.id)-\(member)"
        request.visit.memberID = member
        request.visit.residentID = resident.id
        request.visit.at = .init(date: at)
        request.visit.channel = .door
        request.visit.outcome = .met
        request.resident = resident
        request.communityID = resident.communityID
        return request
    }

    static func pairing(_ elder: String, member: String = "", neighbour: String = "", id: String = "", at: Date = morning) -> NeighbourPairingPairRequest {
        var request = NeighbourPairingPairRequest()
        request.id = id
        request.elderResidentID = elder
        request.partnerMemberID = member
        request.partnerResidentID = neighbour
        request.at = .init(date: at)
        return request
    }
}
