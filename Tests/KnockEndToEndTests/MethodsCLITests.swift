import Foundation
import KnockDomain
import KnockHost
import KnockTestSupport
import Testing

/// The six door-knocking methods linked into a real `knock-host demo` process, as an
/// administrator and a grid member reach them from the command line.
@Suite("The first six methods in knock-host demo", .serialized)
struct MethodsCLITests {
    static let methods = [
        ("daily-knock", "每天敲"), ("urgent-knock", "随时敲"), ("neighbour-pairing", "邻里结亲法"), ("mediation", "顺顺吧"),
        ("canteen", "社区好味到大食堂"), ("after-school", "四点半学校"),
    ]

    @Test("knock modules lists all six with their Chinese names; each one's methods answer knock call; a quarrel noted on a visit becomes a 顺顺吧 proposal")
    func sixMethods() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("knock-methods-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let port = try FreePort.pick()
        let host = try Processes.start("knock-host", ["demo", "--state", state.path], environment: ["KNOCK_LISTEN_PORT": "\(port)"])
        defer { if host.isRunning { kill(host.processIdentifier, SIGKILL) } }
        func knock(_ arguments: [String]) async throws -> ChildProcess.Output {
            try await Processes.run("knock", arguments)
        }
        let admin = ["--identity", state.appendingPathComponent("identities/admin-admin").path, "--host", "127.0.0.1:\(port)"]
        var health = try await knock(["health"] + admin)
        for _ in 0..<300 where health.status != 0 {
            try await Task.sleep(for: .milliseconds(100))
            health = try await knock(["health"] + admin)
        }
        #expect(health.status == 0, "the demo host never answered: \(health.stderr)")

        let modules = try await knock(["modules"] + admin)
        #expect(modules.status == 0, "\(modules.stderr)")
        for (id, name) in Self.methods {
            let line = modules.stdout.split(separator: "\n").first { $0.hasPrefix(id + " ") }
            #expect(line?.contains(name) == true, "knock modules does not list \(id) \(name): \(modules.stdout)")
            #expect(line?.contains("built-in") == true)
            #expect(line?.contains("healthy") == true)
        }

        // Each method's own list, for the demo's first community, as the administrator.
        let street = DemoStreet.gongrencun()
        let member = street.members[0]
        let community = member.communityID
        let today = CalendarDay(containing: Date(), in: TimeZone(identifier: "Asia/Shanghai")!).description
        let calls: [(String, String)] = [
            ("daily-knock.ExplainRules", #"{"communityId":"\#(community)"}"#),
            ("urgent-knock.ListCases", #"{"communityId":"\#(community)"}"#),
            ("neighbour-pairing.ListUnpaired", #"{"communityId":"\#(community)"}"#),
            ("mediation.ListCases", #"{"communityId":"\#(community)"}"#),
            ("canteen.SetMenu", #"{"communityId":"\#(community)","date":"\#(today)","dishes":[{"id":"d1","name":"红烧肉套餐"}]}"#),
            ("canteen.GetMenu", #"{"communityId":"\#(community)","date":"\#(today)"}"#),
            ("after-school.ListEnrolments", #"{"communityId":"\#(community)"}"#),
        ]
        for (method, json) in calls {
            let answer = try await knock(["call", method, "--json", json, "--output", "json"] + admin)
            #expect(answer.status == 0, "\(method): \(answer.stderr)")
        }
        let rules = try await knock(["call", "daily-knock.ExplainRules", "--json", #"{"communityId":"\#(community)"}"#, "--output", "json"] + admin)
        #expect(rules.stdout.contains("alone-80"), "\(rules.stdout)")
        let menu = try await knock(["call", "canteen.GetMenu", "--json", #"{"communityId":"\#(community)","date":"\#(today)"}"#, "--output", "json"] + admin)
        #expect(menu.stdout.contains("红烧肉套餐"), "\(menu.stdout)")
        // A malformed request is refused with a clear error, and the host goes on.
        let malformed = try await knock(["call", "canteen.GetMenu", "--json", #"{"communityId":"\#(community)","date":"30/11/2026"}"#] + admin)
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("INVALID_ARGUMENT"), "\(malformed.stderr)")

        // A grid member notes a quarrel over a blocked stairwell: 顺顺吧 proposes a case.
        let app = ["--identity", state.appendingPathComponent("identities/member-\(member.id)").path, "--host", "127.0.0.1:\(port)"]
        let resident = try #require(street.residents.first { $0.gridID == member.gridIDs[0] })
        let visit = try await knock(["visit", "record", "--resident", resident.id, "--observations", "与邻居因楼道堆物堵塞吵架", "--id", "cli-quarrel-1"] + app)
        #expect(visit.status == 0, "\(visit.stderr)")
        #expect(visit.stdout.contains("[mediation]"), "\(visit.stdout)")
        let proposals = try await knock(["call", "mediation.ListProposals", "--json", "{}", "--output", "json"] + app)
        #expect(proposals.status == 0, "\(proposals.stderr)")
        #expect(proposals.stdout.contains(resident.id), "\(proposals.stdout)")

        kill(host.processIdentifier, SIGTERM)
        _ = await ProcessExit.wait(host, timeout: .seconds(60))
    }

    @Test("a method's bad configuration stops knock-host at start with one line naming the method and the key")
    func badConfiguration() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("knock-methods-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let initialised = try await Processes.run("knock-host", ["init", "--state", state.path, "--name", "工人村街"])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let file = state.appendingPathComponent("knock-host.yaml")
        let yaml = try String(contentsOf: file, encoding: .utf8)
        try yaml.replacingOccurrences(of: "\nmodules:\n", with: "\nmodules:\n  canteen:\n    config: [\"price=abc\"]\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let port = try FreePort.pick()
        let served = try await Processes.run("knock-host", ["serve", "--state", state.path], environment: ["KNOCK_LISTEN_PORT": "\(port)"])
        #expect(served.status == 1)
        let line = served.stderr.split(separator: "\n").first { $0.hasPrefix("knock-host: ") }
        #expect(line?.contains("module canteen: its configuration (modules.canteen.config) is not valid") == true, "\(served.stderr)")
        #expect(line?.contains("price must be an amount in yuan") == true, "\(served.stderr)")
    }
}
