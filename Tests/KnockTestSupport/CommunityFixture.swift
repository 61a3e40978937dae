public import Foundation
public import KnockDomain
public import KnockHost
public import KnockModuleKit
public import KnockPKI
public import KnockStore
import Logging
import Synchronization

/// ``SmallStreet`` served over real mutual TLS: the community services over a SQLite store, with
/// r-1 (张秀英, 88, living alone) on the key-persons list, daily.
public struct CommunityFixture: Sendable {
    public static let shanghai = SmallStreet.shanghai
    public static let morning = SmallStreet.morning
    public static let residents = SmallStreet.residents
    public static let administrator = SmallStreet.administrator

    /// The server: its deployment, module host, services.
    public let served: CommunityServer
    /// The store behind it.
    public let database: KnockDatabase
    /// The services' clock, starting at ``SmallStreet/morning``.
    public let clock: TestClock

    /// Runs `body` with the street served; everything is closed afterwards.
    /// - Parameters:
    ///   - builtIns: The methods loaded in the host.
    ///   - limits: Their time limits.
    ///   - policy: Which are allowed, their communities and configuration.
    ///   - grants: Roles and scopes recorded for integrators and departments.
    ///   - moduleClock: The methods' clock (`ModuleContext.clock`); `nil` for the system clock.
    ///     The fixture's times (``SmallStreet/morning``) are not today's: a method that stamps
    ///     its records with its clock and checks them against visit or tick times needs one
    ///     the test moves.
    ///   - body: Uses the fixture.
    public static func with(
        builtIns: [any KnockModule] = [], limits: ModuleLimits = ModuleLimits(), policy: HostModuleService.Policy = .init(),
        grants: [AccessGrant] = [], moduleClock: (any ModuleClock)? = nil,
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
            try await CommunityServer.serve(
                database, builtIns: builtIns, limits: limits, policy: policy, grants: grants, now: { clock.now }, moduleClock: moduleClock
            ) { served in
                try await body(CommunityFixture(served: served, database: database, clock: clock))
            }
        }
    }

    /// A connection over mutual TLS as `identity`.
    public func connect(_ kind: KnockIdentity.Kind, _ id: String) async throws -> RPCConnection {
        try await served.connect(kind, id)
    }

    /// A door visit to `resident` at ``SmallStreet/morning``.
    public static func visit(_ id: String, resident: String, outcome: CommunityOutcome = .met, requests: [String] = []) -> CommunityRecordVisitRequest {
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
public final class TestClock: Sendable {
    private let current: Mutex<Date>
    /// A clock showing `start`.
    public init(_ start: Date) { current = Mutex(start) }
    /// The time shown.
    public var now: Date { current.withLock { $0 } }
    /// Moves the clock on.
    public func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
