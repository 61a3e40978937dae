import Foundation
import KnockDomain
import KnockHost
import KnockModuleKit
import KnockPKI
import KnockStore
import KnockTLS
import KnockTestSupport
import Synchronization
import Testing

/// A real `knock-host serve` process killed with SIGKILL in the middle of a burst of visit
/// records: every visit it acknowledged is in the store afterwards.
@Suite("Visits survive a killed host", .serialized)
struct VisitDurabilityTests {
    @Test("SIGKILL mid-burst loses no acknowledged visit")
    func killedMidBurst() async throws {
        let state = HostState(path: FileManager.default.temporaryDirectory.appendingPathComponent("knock-durability-\(UUID().uuidString)").path)
        defer { try? FileManager.default.removeItem(at: state.directory) }
        let port = try FreePort.pick()
        try state.initialise(name: "工人村街", hostNames: ["localhost", "127.0.0.1"], address: "127.0.0.1:\(port)")
        let store = StoreLocation.sqlite(path: state.directory.appendingPathComponent("knock.sqlite").path)
        try await KnockDatabase.withDatabase(at: store) { database in
            try await database.putUnits(SmallStreet.units)
            try await database.putMembers(SmallStreet.members)
            _ = try await database.importRoster(households: SmallStreet.households, residents: SmallStreet.residents, caller: SmallStreet.administrator)
        }

        let host = try Processes.start("knock-host", ["serve", "--state", state.directory.path], environment: ["KNOCK_LISTEN_PORT": "\(port)"])
        defer { if host.isRunning { kill(host.processIdentifier, SIGKILL) } }
        let admin = state.identityDirectory("admin-admin")
        let tls = try TLSContext(configuration: .client(
            certificateChain: .file(admin.appendingPathComponent("cert.pem").path), privateKey: .file(admin.appendingPathComponent("key.pem").path),
            trustRoots: .file(admin.appendingPathComponent("ca.pem").path), serverName: "localhost"))
        var connection: RPCConnection?
        for _ in 0..<200 where connection == nil {
            connection = try? await RPCConnection.connect(to: "127.0.0.1", port: port, tls: tls, serverName: "localhost")
            if connection == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let app = try #require(connection, "knock-host did not start listening")

        // 32 writers, each recording visits one after another until the host dies.
        let acknowledged = Acknowledged()
        let killAfter = 400
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<32 {
                group.addTask {
                    var sequence = 0
                    while true {
                        sequence += 1
                        var request = CommunityRecordVisitRequest()
                        request.visit.id = "w\(writer)-\(sequence)"
                        request.visit.residentID = SmallStreet.residents[sequence % 3].id
                        request.visit.memberID = "m-1"
                        request.visit.channel = .door
                        request.visit.outcome = .met
                        request.visit.at = .init(date: Date())
                        request.visit.observations = "第\(sequence)次"
                        do {
                            let response = try await app.call(CommunityMethods.recordVisit, request, options: CallOptions(timeout: .seconds(10)))
                            acknowledged.ids.withLock { _ = $0.insert(response.visit.id) }
                        } catch {
                            return  // the host is gone
                        }
                    }
                }
            }
            while acknowledged.ids.withLock({ $0.count }) < killAfter {
                try await Task.sleep(for: .milliseconds(2))
            }
            kill(host.processIdentifier, SIGKILL)
            try await group.waitForAll()
        }
        app.close()
        let ended = await ProcessExit.wait(host, timeout: .seconds(30))
        #expect(ended == .signalled(SIGKILL) || ended == .unknown, "the host ended \(String(describing: ended))")

        let acked = acknowledged.ids.withLock { $0 }
        #expect(acked.count >= killAfter)
        let stored = try await KnockDatabase.withDatabase(at: store) { database in
            try await database.visits(ids: Array(acked), caller: SmallStreet.administrator)
        }
        let storedIDs = Set(stored.map(\.id))
        let lost = acked.subtracting(storedIDs)
        #expect(lost.isEmpty, "\(lost.count) acknowledged visits are missing, e.g. \(lost.prefix(5))")
        // Every stored visit is whole.
        #expect(stored.allSatisfy { $0.householdID.isEmpty == false && $0.observations.hasPrefix("第") })
    }
}

/// The ids of the visits the host acknowledged, from every writer.
final class Acknowledged: Sendable {
    let ids = Mutex<Set<String>>([])
}

/// A TCP port nobody listens on now (the kernel's choice for port 0).
enum FreePort {
    static func pick() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw POSIXError(.EINVAL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
