import Foundation
import KnockDomain
import KnockHost
import KnockModuleKit
import KnockPKI
import KnockStore
import KnockTestSupport
import Logging
import Synchronization

/// ``SmallStreet`` served over real mutual TLS: the community services over a SQLite store.
struct CommunityFixture {
    static let shanghai = SmallStreet.shanghai
    static let morning = SmallStreet.morning
    static let residents = SmallStreet.residents
    static let administrator = SmallStreet.administrator

    let served: CommunityServer
    let database: KnockDatabase
    let clock: TestClock

    /// Runs `body` with the street served; everything is closed afterwards.
    static func with(
        builtIns: [any KnockModule] = [], limits: ModuleLimits = ModuleLimits(), policy: HostModuleService.Policy = .init(),
        _ body: (CommunityFixture) async throws -> Void
    ) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("knock-community-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        try await KnockDatabase.withDatabase(at: .sqlite(path: path)) { database in
            try await database.putUnits(SmallStreet.units)
            try await database.putMembers(SmallStreet.members)
            _ = try await database.importRoster(households: SmallStreet.households, residents: residents, caller: administrator)
            try await database.flagKeyPerson(residentID: "r-1", reason: "独居高龄", cadenceDays: 1, caller: administrator, at: morning.addingTimeInterval(-7 * 86_400))

            let clock = TestClock(morning)
            try await CommunityServer.serve(database, builtIns: builtIns, limits: limits, policy: policy, now: { clock.now }) { served in
                try await body(CommunityFixture(served: served, database: database, clock: clock))
            }
        }
    }

    /// A connection over mutual TLS as `identity`.
    func connect(_ kind: KnockIdentity.Kind, _ id: String) async throws -> RPCConnection {
        try await served.connect(kind, id)
    }

    static func visit(_ id: String, resident: String, outcome: CommunityOutcome = .met, requests: [String] = []) -> CommunityRecordVisitRequest {
        var request = CommunityRecordVisitRequest()
        request.visit.id = id
        request.visit.residentID = resident
        request.visit.channel = .door
        request.visit.outcome = outcome
        request.visit.at = .init(date: morning)
        request.visit.requests = requests
        request.visit.observations = "精神不错"
        return request
    }
}

/// A clock the test moves.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
