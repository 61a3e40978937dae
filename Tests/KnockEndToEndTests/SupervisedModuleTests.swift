import Foundation
import KnockHost
import KnockModuleKit
import KnockPKI
import KnockSupervisor
import KnockTLS
import KnockTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The host starts the elder-watch executable itself, restarts it when it dies, and leaves
/// nothing behind when it stops.
@Suite("A supervised module process", .serialized)
struct SupervisedModuleTests {
    @Test("killed mid-call: the caller gets UNAVAILABLE, the host restarts it, the next call succeeds; shutdown leaves no process")
    func killAndRestart() async throws {
        let (state, runtime, group, serving, port) = try await Self.serve(
            supervising: HostConfiguration.SupervisedModule(id: "elder-watch", executable: Processes.binaries.appendingPathComponent("elder-watch").path)
        )

        func registered() async -> Bool {
            for _ in 0..<400 {
                if runtime.modules.registry.entry("elder-watch") != nil { return true }
                try? await Task.sleep(for: .milliseconds(25))
            }
            return false
        }
        #expect(await registered(), "the supervised module never registered")
        let firstPID = try #require(runtime.supervisor?.status(of: "elder-watch")?.state.pid)

        let member = try state.issue(identity: KnockIdentity(kind: .member, id: "m-7"), commonName: "王五", address: "127.0.0.1:\(port)", serverName: "localhost")
        let tls = try TLSContext(configuration: .client(
            certificateChain: .file(member.appendingPathComponent("cert.pem").path), privateKey: .file(member.appendingPathComponent("key.pem").path),
            trustRoots: .file(member.appendingPathComponent("ca.pem").path), serverName: "localhost"))
        let connection = try await RPCConnection.connect(to: "127.0.0.1", port: port, tls: tls, serverName: "localhost")
        var resident = CommunityResident()
        resident.id = "r-1"
        resident.communityID = "qinghe"
        let watch = RPCMethod<CommunityResident, ModulePutResponse>("elder-watch.Watch")
        let follow = RPCMethod<ModulePlanRequest, CommunityResident>("elder-watch.Follow", kind: .serverStream)
        #expect(try await connection.call(watch, resident).version == 1)

        // Mid-call: a Follow stream is open through the host when the module is killed.
        var request = ModulePlanRequest()
        request.communityID = "qinghe"
        let outcome: RPCError? = await {
            do {
                try await connection.stream(follow, request) { residents in
                    for try await followed in residents {
                        #expect(followed.id == "r-1")
                        kill(firstPID, SIGKILL)
                    }
                }
                return nil
            } catch let error as RPCError {
                return error
            } catch {
                return RPCError(wrapping: error)
            }
        }()
        #expect(outcome?.code == .unavailable, "the caller got \(String(describing: outcome))")

        // The host is still up; the supervisor restarts the module; the next call succeeds.
        #expect(try await connection.call(RPCMethod<HostHealthRequest, HostHealthResponse>("knock.host.Health"), HostHealthRequest()).status == "serving")
        var secondPID: Int32?
        for _ in 0..<400 where secondPID == nil {
            if let pid = runtime.supervisor?.status(of: "elder-watch")?.state.pid, pid != firstPID, runtime.modules.registry.entry("elder-watch") != nil {
                secondPID = pid
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        let restarted = try #require(secondPID, "the module was not restarted")
        #expect(runtime.supervisor?.status(of: "elder-watch")?.restartCount ?? 0 >= 1)
        resident.id = "r-2"
        #expect(try await connection.call(watch, resident).version == 1)
        connection.close()

        // Shutdown stops the module: no process is left behind.
        await group.triggerGracefulShutdown()
        try await serving.value
        var alive = true
        for _ in 0..<200 where alive {
            alive = kill(restarted, 0) == 0
            if alive { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(!alive, "module process \(restarted) outlived the host")
        try? FileManager.default.removeItem(at: state.directory)
    }

    @Test("a supervised module that cannot start still shows in ListModules, down, with its process state")
    func downModuleIsListed() async throws {
        let (state, _, group, serving, port) = try await Self.serve(
            supervising: HostConfiguration.SupervisedModule(id: "canteen", executable: "/nonexistent/canteen-module")
        )
        defer { try? FileManager.default.removeItem(at: state.directory) }

        let admin = state.identityDirectory("admin-admin")
        let listed = try await Processes.run("knock", ["modules", "--identity", admin.path, "--host", "127.0.0.1:\(port)", "--output", "json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let modules = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])["modules"] as? [[String: Any]]
        let canteen = try #require(modules?.first { $0["id"] as? String == "canteen" }, "\(listed.stdout)")
        #expect(canteen["origin"] as? String == "supervised")
        #expect(canteen["healthy"] as? Bool != true)
        #expect((canteen["processState"] as? String)?.isEmpty == false)
        let table = try await Processes.run("knock", ["modules", "--identity", admin.path, "--host", "127.0.0.1:\(port)"])
        #expect(table.stdout.contains("canteen"))
        #expect(table.stdout.contains("down"))

        await group.triggerGracefulShutdown()
        try await serving.value
    }

    /// A host in a new state directory, serving on a free port and supervising `module`.
    static func serve(supervising module: HostConfiguration.SupervisedModule) async throws
        -> (HostState, HostRuntime, ServiceGroup, Task<Void, any Error>, Int)
    {
        let state = HostState(path: FileManager.default.temporaryDirectory.appendingPathComponent("knock-e2e-\(UUID().uuidString)").path)
        try state.initialise(name: "工人村街", hostNames: ["localhost", "127.0.0.1"], address: "127.0.0.1:0")
        var configuration = try await HostConfiguration.load(file: state.configurationFile, environment: [:])
        configuration.listenPort = 0
        configuration.supervised = [module]
        let stores = ModuleStores()
        let runtime = HostRuntime(state: state, configuration: configuration, builtIns: [], stores: { stores.store($0) }, logger: Logger(label: "e2e.host"))
        let group = ServiceGroup(services: [runtime], logger: Logger(label: "e2e"))
        let serving = Task { try await group.run() }
        var ports = runtime.listening.makeAsyncIterator()
        guard let port = await ports.next() else { throw CancellationError() }
        return (state, runtime, group, serving, port)
    }
}
