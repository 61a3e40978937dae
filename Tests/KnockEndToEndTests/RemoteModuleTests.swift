import Foundation
import KnockHost
import KnockModuleKit
import KnockPKI
import KnockTLS
import NIOCore
import KnockTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The example module (Examples/elder-watch) as a real second process, dialing into a real
/// host over mutual TLS with its own certificate; the real `knock` CLI lists it.
@Suite("A module in its own process, and the knock CLI", .serialized)
struct RemoteModuleTests {
    @Test("elder-watch registers, serves a member's call through the host, plans, and leaves when stopped")
    func elderWatch() async throws {
        let state = HostState(path: FileManager.default.temporaryDirectory.appendingPathComponent("knock-e2e-\(UUID().uuidString)").path)
        try state.initialise(name: "工人村街", hostNames: ["localhost", "127.0.0.1"], address: "127.0.0.1:0")
        var configuration = try await HostConfiguration.load(file: state.configurationFile, environment: [:])
        configuration.listenPort = 0
        let stores = ModuleStores()
        let runtime = HostRuntime(state: state, configuration: configuration, builtIns: [ElderCheck()], stores: { stores.store($0) }, logger: Logger(label: "e2e.host"))
        let group = ServiceGroup(services: [runtime], logger: Logger(label: "e2e"))
        let serving = Task { try await group.run() }
        var ports = runtime.listening.makeAsyncIterator()
        let port = try #require(await ports.next())
        let address = "127.0.0.1:\(port)"

        let moduleIdentity = try state.issue(identity: KnockIdentity(kind: .module, id: "elder-watch"), commonName: "邻里守望", address: address, serverName: "localhost")
        let module = try Processes.start("elder-watch", environment: [
            "KNOCK_HOST": address, "KNOCK_SERVER_NAME": "localhost",
            "KNOCK_CA": moduleIdentity.appendingPathComponent("ca.pem").path,
            "KNOCK_MODULE_CERT": moduleIdentity.appendingPathComponent("cert.pem").path,
            "KNOCK_MODULE_KEY": moduleIdentity.appendingPathComponent("key.pem").path,
        ])
        defer { if module.isRunning { module.terminate() } }

        // The administrator's `knock modules` shows both modules.
        let admin = state.identityDirectory("admin-admin").path
        var listed = ""
        for _ in 0..<200 {
            let output = try await Processes.run("knock", ["modules", "--identity", admin, "--host", address])
            #expect(output.status == 0, "knock modules failed: \(output.stderr)")
            listed = output.stdout
            if listed.contains("elder-watch"), listed.contains("elder-check") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(listed.contains("elder-watch"))
        #expect(listed.contains("邻里守望"))
        #expect(listed.contains("remote"))
        #expect(listed.contains("elder-check"))
        #expect(listed.contains("built-in"))

        // A member calls the remote module's own method through the host.
        let member = try state.issue(identity: KnockIdentity(kind: .member, id: "m-0012"), commonName: "李四", address: address, serverName: "localhost")
        let tls = try TLSContext(configuration: .client(
            certificateChain: .file(member.appendingPathComponent("cert.pem").path), privateKey: .file(member.appendingPathComponent("key.pem").path),
            trustRoots: .file(member.appendingPathComponent("ca.pem").path), serverName: "localhost"))
        let connection = try await RPCConnection.connect(to: "127.0.0.1", port: port, tls: tls, serverName: "localhost")
        var resident = CommunityResident()
        resident.id = "r-101"
        resident.communityID = "qinghe"
        resident.name = "张奶奶"
        let watch = RPCMethod<CommunityResident, ModulePutResponse>("elder-watch.Watch")
        #expect(try await connection.call(watch, resident).version == 1)
        // `knock call` reaches it too, JSON in and out, through the host's Describe.
        let called = try await Processes.run("knock", ["call", "elder-watch.Watch", "--json", #"{"id": "r-102", "communityId": "qinghe", "name": "李爷爷"}"#,
                                                       "--identity", admin, "--host", address, "--output", "json"])
        #expect(called.status == 0, "knock call failed: \(called.stderr)")
        #expect(called.stdout.contains(#""version":"1""#), "knock call printed \(called.stdout)")
        let builtIn = try await Processes.run("knock", ["call", "elder-check.Watch", "--json", #"{"id": "r-103", "communityId": "qinghe"}"#,
                                                        "--identity", admin, "--host", address, "--output", "json"])
        #expect(builtIn.status == 0, "knock call to the built-in module failed: \(builtIn.stderr)")
        #expect(builtIn.stdout.contains(#""version":"1""#))
        let health = try await Processes.run("knock", ["call", "knock.host.Health", "--identity", admin, "--host", address])
        #expect(health.stdout.contains("serving"), "knock call knock.host.Health printed \(health.stdout) \(health.stderr)")
        let badJSON = try await Processes.run("knock", ["call", "elder-watch.Watch", "--json", #"{"id": 5}"#, "--identity", admin, "--host", address])
        #expect(badJSON.status == 1)
        #expect(badJSON.stderr.contains("knock.community.v1.Resident"), "knock call printed \(badJSON.stderr)")
        let noMethod = try await Processes.run("knock", ["call", "elder-watch.Nothing", "--identity", admin, "--host", address])
        #expect(noMethod.stderr.contains("no method elder-watch.Nothing"))
        #expect(noMethod.stderr.contains("elder-watch.Watch"))

        // Metrics count calls by method and status; names the host does not serve count as unknown.
        _ = try? await connection.callRaw("nobody.Anything", ByteBuffer())
        let metrics = try await Processes.run("knock", ["metrics", "--identity", admin, "--host", address])
        #expect(metrics.status == 0, "knock metrics failed: \(metrics.stderr)")
        #expect(metrics.stdout.contains("knock_rpc_calls_total"))
        #expect(metrics.stdout.contains(#"method="elder-watch.Watch""#))
        #expect(metrics.stdout.contains(#"method="unknown""#))
        #expect(!metrics.stdout.contains("nobody.Anything"))
        #expect(metrics.stdout.contains(#"knock_module_up{module="elder-watch",origin="remote"} 1"#) || metrics.stdout.contains(#"knock_module_up{origin="remote",module="elder-watch"} 1"#),
                "metrics: \(metrics.stdout)")

        // Its record is in the host's store, under the module's own namespace.
        #expect(try await stores.store("elder-watch").get(collection: "watched", key: "r-101") != nil)

        // It contributes to a plan alongside the built-in module, and assesses a visit.
        var plan = ModulePlanRequest()
        plan.date = "2026-11-29"
        plan.communityID = "qinghe"
        let planned = await runtime.modules.coordinator.plan(plan)
        // Both contribute: the built-in module's watched resident (priority 80) first.
        #expect(planned.knocks.map(\.residentID) == ["r-103", "r-101", "r-102"])
        #expect(planned.knocks.map(\.suggestedBy) == ["elder-check", "elder-watch", "elder-watch"])
        var assess = ModuleAssessRequest()
        assess.resident = resident
        assess.resident.tags = [.elderly, .livingAlone]
        assess.visit.outcome = .noAnswer
        let assessed = await runtime.modules.coordinator.assess(assess)
        #expect(assessed.failures.isEmpty)
        #expect(Set(assessed.suggestions.map(\.suggestedBy)) == ["elder-check", "elder-watch"])

        // Stopped, the module leaves the registry and its methods are gone.
        module.terminate()
        _ = await ProcessExit.wait(module, timeout: .seconds(30))
        var gone = false
        for _ in 0..<200 where !gone {
            gone = runtime.modules.registry.entry("elder-watch") == nil
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(gone)
        let after = try await #require(throws: RPCError.self) { try await connection.call(watch, resident) }
        #expect(after.code == .unimplemented)

        // Revoked: the member's open connection is closed within about a second, and it cannot
        // connect again.
        let healthMethod = RPCMethod<HostHealthRequest, HostHealthResponse>("knock.host.Health")
        #expect(try await connection.call(healthMethod, HostHealthRequest()).status == "serving")
        try state.revoke("knock://member/m-0012")
        let revokedAt = ContinuousClock.now
        var closed = false
        while !closed, ContinuousClock.now - revokedAt < .seconds(5) {
            do {
                _ = try await connection.call(healthMethod, HostHealthRequest(), options: CallOptions(timeout: .seconds(1)))
                try await Task.sleep(for: .milliseconds(50))
            } catch let error as RPCError {
                #expect(error.code == .unavailable)
                closed = true
            }
        }
        #expect(closed, "the revoked member's connection stayed open")
        #expect(ContinuousClock.now - revokedAt < .seconds(3))
        connection.close()
        await #expect(throws: RPCError.self) { _ = try await RPCConnection.connect(to: "127.0.0.1", port: port, tls: tls, serverName: "localhost") }

        await group.triggerGracefulShutdown()
        try await serving.value
        try? FileManager.default.removeItem(at: state.directory)
    }

    @Test("knock names what is wrong: a missing identity, an unreachable host")
    func cliErrors() async throws {
        let missing = try await Processes.run("knock", ["modules", "--identity", "/nonexistent"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("is not an identity directory"))
    }
}
