import Foundation
import KnockDomain
import KnockHost
import KnockTestSupport
import Testing

/// What a street office's administrator and a grid member do from the command line, against a
/// real `knock-host demo` process: the demo street seeded, the day's plan, a visit, a need worked
/// to its end, a roster checked, lists exported, bad input refused.
@Suite("The knock CLI against knock-host demo", .serialized)
struct CommunityCLITests {
    @Test("a day's work from the command line")
    func daysWork() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("knock-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let port = try FreePort.pick()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("knock-cli-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let host = try Processes.start("knock-host", ["demo", "--state", state.path], environment: ["KNOCK_LISTEN_PORT": "\(port)"], log: log)
        defer { if host.isRunning { kill(host.processIdentifier, SIGKILL) } }

        let street = DemoStreet.gongrencun()
        let member = street.members[0]
        let admin = ["--identity", state.appendingPathComponent("identities/admin-admin").path, "--host", "127.0.0.1:\(port)"]
        let app = ["--identity", state.appendingPathComponent("identities/member-\(member.id)").path, "--host", "127.0.0.1:\(port)"]
        func knock(_ arguments: [String]) async throws -> ChildProcess.Output {
            try await Processes.run("knock", arguments)
        }
        var health = try await knock(["health"] + admin)
        for _ in 0..<300 where health.status != 0 {
            try await Task.sleep(for: .milliseconds(100))
            health = try await knock(["health"] + admin)
        }
        #expect(health.status == 0, "the demo host never answered: \(health.stderr)")
        // The host runs on mimalloc, and says so at start.
        let started = try String(contentsOf: log, encoding: .utf8)
        #expect(started.contains("allocator=mimalloc 2."), "knock-host's log: \(started)")

        // The member (the grid's staff member, its default member) plans today: every key person
        // of the grid not assigned to another member, by name.
        #expect(member.roles.contains(.staff))
        let plan = try await knock(["plan", "today", "--member", "me"] + app)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains(member.name))
        let due = street.keyPersons.filter { $0.gridID == member.gridIDs[0] && ($0.assignedMemberID ?? member.id) == member.id }
        #expect(!due.isEmpty)
        for entry in due {
            #expect(plan.stdout.contains(entry.residentID), "\(entry.residentID) is missing from the plan")
            let name = try #require(street.residents.first { $0.id == entry.residentID }).name
            #expect(plan.stdout.contains(name))
        }

        // A visit to one of them, asking for meal delivery.
        let resident = try #require(due.first).residentID
        let record = ["visit", "record", "--resident", resident, "--outcome", "met", "--request", "希望送餐上门", "--id", "cli-visit-1",
                      "--at", ISO8601DateFormatter().string(from: Date())] + app
        let visit = try await knock(record)
        #expect(visit.status == 0, "\(visit.stderr)")
        #expect(visit.stdout.contains("recorded visit cli-visit-1"))
        // Sent again (the phone lost the answer): stored once.
        let again = try await knock(record)
        #expect(again.stdout.contains("already recorded"), "\(again.stderr)")

        // A need raised by the member and worked to its end by the member.
        let raised = try await knock(["needs", "raise", "--resident", resident, "--category", "meals", "--summary", "每天午餐送到家", "--output", "json"] + app)
        #expect(raised.status == 0, "\(raised.stderr)")
        let id = try #require(try JSONSerialization.jsonObject(with: Data(raised.stdout.utf8)) as? [String: Any])["id"] as? String
        let need = try #require(id)
        #expect(try await knock(["needs", "assign", need, "--to", "member:\(member.id)"] + app).stdout.contains("assigned"))
        let resolved = try await knock(["needs", "resolve", need, "--note", "已安排志愿者送餐"] + app)
        #expect(resolved.stdout.contains("resolved"))
        let followed = try await knock(["needs", "follow-up", need, "--satisfaction", "5"] + app)
        #expect(followed.stdout.contains("followed-up"))
        let refused = try await knock(["needs", "start", need] + app)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("FAILED_PRECONDITION"))
        let unknown = try await knock(["needs", "show", "no-such-need"] + app)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("NOT_FOUND"))

        // The administrator: key persons due, coverage, a roster check, exports.
        // The visit reached the resident: not due again today, but still on the list.
        let dueNow = try await knock(["keypersons", "--due"] + admin)
        #expect(dueNow.status == 0)
        #expect(!dueNow.stdout.contains(resident))
        #expect(try await knock(["keypersons"] + admin).stdout.contains(resident))
        // Who am I, and who works my grids.
        let me = try await knock(["members", "me"] + app)
        #expect(me.status == 0, "\(me.stderr)")
        #expect(me.stdout.contains(member.id) && me.stdout.contains(member.name))
        let mates = try await knock(["members", "--grid", member.gridIDs[0]] + app)
        #expect(mates.stdout.contains(member.id))
        // In pages: the first one says where the next starts, which lists others.
        let firstPage = try await knock(["keypersons", "--limit", "1"] + admin)
        let next = try #require(firstPage.stdout.split(separator: "\n").first { $0.hasPrefix("more: --after ") }?.dropFirst("more: --after ".count))
        let secondPage = try await knock(["keypersons", "--limit", "1", "--after", String(next)] + admin)
        #expect(secondPage.status == 0)
        let secondRows = secondPage.stdout.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("more:") }
        #expect(secondRows.count == 1)
        #expect(secondRows.allSatisfy { !$0.hasPrefix(next + " ") })
        let coverage = try await knock(["coverage", "--output", "json"] + admin)
        let grids = try #require(try JSONSerialization.jsonObject(with: Data(coverage.stdout.utf8)) as? [String: Any])["grids"] as? [[String: Any]]
        let own = try #require(grids?.first { $0["gridId"] as? String == member.gridIDs[0] })
        #expect(own["householdsVisited"] as? Int == 1)
        #expect(own["doneDoor"] as? Int == 1)
        #expect(own["needsResolved"] as? Int == 1)
        #expect(own["meanSatisfaction"] as? Double == 5)
        let roster = Processes.root.appendingPathComponent("Examples/demo-data/households.csv").path
        let check = try await knock(["import", "households", roster, "--dry-run"] + admin)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("every row is good"))
        let badRoster = state.appendingPathComponent("bad.csv")
        try Data(("household_id,address,grid_id,resident_id,name,birth_year,tags,phone,emergency_contact_name,"
            + "emergency_contact_phone,emergency_contact_relation,availability\n"
            + "h-x,青和居 1栋,no-such-grid,r-x,某某,1950,,,,,,\n").utf8).write(to: badRoster)
        let bad = try await knock(["import", "households", badRoster.path] + admin)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("line 2"))
        let exported = state.appendingPathComponent("needs.csv")
        let export = try await knock(["export", "needs", "--bom", "--out", exported.path] + admin)
        #expect(export.status == 0, "\(export.stderr)")
        let csv = try Data(contentsOf: exported)
        #expect(csv.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(String(decoding: csv, as: UTF8.self).contains("每天午餐送到家"))
        #expect(!FileManager.default.fileExists(atPath: exported.path + ".part"))

        // The administrator sees who read the resident's data: the member, planning and visiting.
        let audit = try await knock(["audit", "--resident", resident] + admin)
        #expect(audit.status == 0, "\(audit.stderr)")
        #expect(audit.stdout.contains("member:\(member.id)"))
        #expect(try await knock(["audit"] + app).stderr.contains("PERMISSION_DENIED"))

        // SIGTERM drains and exits cleanly.
        kill(host.processIdentifier, SIGTERM)
        let ended = await ProcessExit.wait(host, timeout: .seconds(60))
        #expect(ended == .exited(0) || ended == .unknown, "knock-host demo ended \(String(describing: ended)) after SIGTERM")
    }

    @Test("an integrator reaches only the scope issue-cert recorded; renew-cert keeps it working; an administrator raises alerts and runs the checks")
    func integratorAndRenewal() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("knock-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let port = try FreePort.pick()
        let host = try Processes.start("knock-host", ["demo", "--state", state.path], environment: ["KNOCK_LISTEN_PORT": "\(port)"])
        defer { if host.isRunning { kill(host.processIdentifier, SIGKILL) } }
        func knock(_ arguments: [String]) async throws -> ChildProcess.Output {
            try await Processes.run("knock", arguments)
        }
        func knockHost(_ arguments: [String]) async throws -> ChildProcess.Output {
            try await Processes.run("knock-host", arguments + ["--state", state.path])
        }
        let admin = ["--identity", state.appendingPathComponent("identities/admin-admin").path, "--host", "127.0.0.1:\(port)"]
        var health = try await knock(["health"] + admin)
        for _ in 0..<300 where health.status != 0 {
            try await Task.sleep(for: .milliseconds(100))
            health = try await knock(["health"] + admin)
        }
        #expect(health.status == 0, "the demo host never answered: \(health.stderr)")

        let street = DemoStreet.gongrencun()
        let inside = try #require(street.residents.first)
        let outside = try #require(street.residents.first { $0.communityID != inside.communityID })
        // Without --scope an integrator is not issued at all.
        let unscoped = try await knockHost(["issue-cert", "--kind", "integrator", "--id", "hospital-a"])
        #expect(unscoped.status == 1)
        #expect(unscoped.stderr.contains("--scope"))
        let issued = try await knockHost(["issue-cert", "--kind", "integrator", "--id", "hospital-a", "--name", "第一医院", "--scope", "community:\(inside.communityID)"])
        #expect(issued.status == 0, "\(issued.stderr)")
        #expect(issued.stdout.contains("within community:\(inside.communityID)"))
        let hospital = ["--identity", state.appendingPathComponent("identities/integrator-hospital-a").path, "--host", "127.0.0.1:\(port)"]
        func raise(_ resident: String) async throws -> ChildProcess.Output {
            try await knock(["needs", "raise", "--resident", resident, "--category", "medicine", "--summary", "出院带药"] + hospital)
        }
        var raised = try await raise(inside.id)
        // The running host reads the grant within a second.
        for _ in 0..<50 where raised.status != 0 {
            try await Task.sleep(for: .milliseconds(100))
            raised = try await raise(inside.id)
        }
        #expect(raised.status == 0, "\(raised.stderr)")
        let refused = try await raise(outside.id)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("NOT_FOUND"))
        #expect(try await knock(["export", "needs"] + hospital).stderr.contains("PERMISSION_DENIED"))
        // A refused export leaves no file, whole or partial.
        let refusedFile = FileManager.default.temporaryDirectory.appendingPathComponent("refused-\(UUID().uuidString).csv").path
        #expect(try await knock(["export", "needs", "--out", refusedFile] + hospital).status == 1)
        #expect(!FileManager.default.fileExists(atPath: refusedFile))
        #expect(!FileManager.default.fileExists(atPath: refusedFile + ".part"))

        // Renewed, the earlier certificate revoked: the identity directory still works.
        let renewed = try await knockHost(["renew-cert", "knock://integrator/hospital-a", "--revoke-earlier"])
        #expect(renewed.status == 0, "\(renewed.stderr)")
        #expect(renewed.stdout.contains("revoked"))
        try await Task.sleep(for: .milliseconds(1_200))
        let again = try await raise(inside.id)
        #expect(again.status == 0, "\(again.stderr)")
        let certificates = try await knockHost(["certs"])
        #expect(certificates.stdout.contains("knock://integrator/hospital-a\t第一医院"))
        #expect(certificates.stdout.contains("revoked [integrator community:\(inside.communityID)]"))
        #expect(certificates.stdout.contains("valid [integrator community:\(inside.communityID)]"))

        // The administrator raises an alert, and runs the scheduled checks now.
        let alert = try await knock(["alerts", "raise", "--resident", inside.id, "--message", "门口有积水，老人可能摔倒", "--urgency", "critical", "--id", "cli-alert-1"] + admin)
        #expect(alert.status == 0, "\(alert.stderr)")
        #expect(alert.stdout.contains("raised alert cli-alert-1"))
        #expect(try await knock(["alerts"] + admin).stdout.contains("门口有积水"))
        let tick = try await knock(["tick", "--at", "2026-11-30T20:30:00+08:00"] + admin)
        #expect(tick.status == 0, "\(tick.stderr)")
        #expect(try await knock(["tick", "--at", "yesterday"] + admin).stderr.contains("ISO 8601"))

        kill(host.processIdentifier, SIGTERM)
        _ = await ProcessExit.wait(host, timeout: .seconds(60))
    }
}
