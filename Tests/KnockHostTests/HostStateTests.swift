import Foundation
@testable import KnockHost
import KnockPKI
import Testing

@Suite("The host's state directory and configuration")
struct HostStateTests {
    func temporaryState() -> HostState {
        HostState(path: FileManager.default.temporaryDirectory.appendingPathComponent("knock-state-\(UUID().uuidString)").path)
    }

    @Test("init makes a CA, the host's certificate, an administrator identity and a commented configuration")
    func initialise() async throws {
        let state = temporaryState()
        let admin = try state.initialise(name: "工人村街", hostNames: ["localhost", "127.0.0.1"], address: "127.0.0.1:7443")
        for file in ["cert.pem", "key.pem", "ca.pem", "host"] {
            #expect(FileManager.default.fileExists(atPath: admin.appendingPathComponent(file).path), "\(file) missing")
        }
        let keyMode = try FileManager.default.attributesOfItem(atPath: admin.appendingPathComponent("key.pem").path)[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        let text = try String(contentsOf: state.configurationFile, encoding: .utf8)
        #expect(text.contains("# knock-host configuration for 工人村街."))
        let issued = try state.issuedCertificates()
        #expect(issued.map(\.identity) == ["knock://host/host", "knock://admin/admin"])
        // A second init refuses to overwrite the CA.
        #expect(throws: PKIError.self) { try state.initialise(name: "x", hostNames: ["localhost"], address: "127.0.0.1:7443") }
        try? FileManager.default.removeItem(at: state.directory)
    }

    @Test("the configuration file's values, overridden by KNOCK_ environment variables")
    func configuration() async throws {
        let state = temporaryState()
        try state.initialise(name: "工人村街", hostNames: ["localhost"], address: "127.0.0.1:7555")
        let plain = try await HostConfiguration.load(file: state.configurationFile, environment: [:])
        #expect(plain.name == "工人村街")
        #expect(plain.listenPort == 7555)
        #expect(plain.storeURL == "sqlite:knock.sqlite")
        let overridden = try await HostConfiguration.load(file: state.configurationFile, environment: ["KNOCK_LISTEN_PORT": "9001", "KNOCK_STORE_URL": "postgres://k@localhost/knock", "HOME": "/root"])
        #expect(overridden.listenPort == 9001)
        #expect(overridden.storeURL == "postgres://k@localhost/knock")

        let custom = state.directory.appendingPathComponent("custom.yaml")
        try """
        modules:
          enabled: ["canteen", "elder-watch"]
          supervised: ["elder-watch"]
          canteen:
            communities: ["qinghe"]
            assess_timeout_ms: 500
            config: ["subsidy_advanced_age=5"]
          elder-watch:
            executable: "/opt/knock/elder-watch"
            arguments: ["--verbose"]
        """.write(to: custom, atomically: true, encoding: .utf8)
        let modules = try await HostConfiguration.load(file: custom, environment: [:])
        #expect(modules.enabledModules == ["canteen", "elder-watch"])
        #expect(modules.moduleCommunities["canteen"] == ["qinghe"])
        #expect(modules.moduleConfiguration["canteen"] == ["subsidy_advanced_age": "5"])
        #expect(modules.moduleLimits["canteen"]?.assess == .milliseconds(500))
        #expect(modules.supervised == [HostConfiguration.SupervisedModule(id: "elder-watch", executable: "/opt/knock/elder-watch", arguments: ["--verbose"])])

        let broken = state.directory.appendingPathComponent("broken.yaml")
        try "listen: [unclosed".write(to: broken, atomically: true, encoding: .utf8)
        await #expect(throws: (any Error).self) { _ = try await HostConfiguration.load(file: broken, environment: [:]) }
        try? FileManager.default.removeItem(at: state.directory)
    }

    @Test("issue-cert writes a usable identity; revoke-cert lists its fingerprint")
    func issueAndRevoke() throws {
        let state = temporaryState()
        try state.initialise(name: "青和居", hostNames: ["localhost"], address: "127.0.0.1:7443")
        let folder = try state.issue(identity: KnockIdentity(kind: .member, id: "m-0012"), commonName: "李四", address: "127.0.0.1:7443", serverName: "localhost")
        #expect(try String(contentsOf: folder.appendingPathComponent("host"), encoding: .utf8) == "127.0.0.1:7443\nlocalhost\n")
        let entry = try #require(try state.issuedCertificates().first { $0.identity == "knock://member/m-0012" })
        #expect(entry.name == "李四")
        #expect(try state.revoke("knock://member/m-0012") == [entry.fingerprint])
        #expect(state.revokedFingerprints() == [entry.fingerprint])
        #expect(throws: PKIError.self) { try state.revoke("knock://member/nobody") }
        try? FileManager.default.removeItem(at: state.directory)
    }

    @Test("an integrator's role and scope are recorded with its certificate and read by the host")
    func grantRecorded() throws {
        let state = temporaryState()
        defer { try? FileManager.default.removeItem(at: state.directory) }
        try state.initialise(name: "工人村街", hostNames: ["localhost"], address: "127.0.0.1:7443")
        let book = GrantBook(file: state.grantsFile)
        #expect(book.grant(for: "knock://integrator/hospital-a") == nil)
        let grant = try AccessGrant(identity: "knock://integrator/hospital-a", role: "integrator", scope: "community:qinghe", permissions: ["needs.write"])
        try state.issue(identity: KnockIdentity(kind: .integrator, id: "hospital-a"), commonName: "第一医院", address: "127.0.0.1:7443", serverName: "localhost", grant: grant)
        book.reload()
        #expect(book.grant(for: "knock://integrator/hospital-a") == grant)
        // A grant for another identity than the certificate's is refused, and nothing is issued.
        let before = try state.issuedCertificates().count
        #expect(throws: PKIError.self) {
            try state.issue(identity: KnockIdentity(kind: .integrator, id: "hotline"), commonName: "12345", address: "127.0.0.1:7443", serverName: "localhost", grant: grant)
        }
        #expect(try state.issuedCertificates().count == before)
        // A damaged file keeps what the host had loaded, and refuses new grants rather than lose them.
        try "{ not json".write(to: state.grantsFile, atomically: true, encoding: .utf8)
        book.reload()
        #expect(book.grant(for: "knock://integrator/hospital-a") == grant)
        #expect(throws: (any Error).self) { try GrantBook.record(grant, in: state.grantsFile) }
    }

    @Test("renew-cert issues a fresh certificate into the same directory; the earlier one is revoked only when asked")
    func renew() throws {
        let state = temporaryState()
        defer { try? FileManager.default.removeItem(at: state.directory) }
        try state.initialise(name: "工人村街", hostNames: ["localhost"], address: "127.0.0.1:7443")
        let folder = try state.issue(identity: KnockIdentity(kind: .member, id: "m-7"), commonName: "周敏", validity: 86_400, address: "127.0.0.1:7443", serverName: "localhost")
        let first = try String(contentsOf: folder.appendingPathComponent("cert.pem"), encoding: .utf8)
        let renewed = try state.renew("knock://member/m-7", validity: 365 * 86_400, address: "127.0.0.1:7443", serverName: "localhost", revokeEarlier: false)
        #expect(renewed.folder == folder)
        #expect(try String(contentsOf: folder.appendingPathComponent("cert.pem"), encoding: .utf8) != first)
        let issued = try state.issuedCertificates().filter { $0.identity == "knock://member/m-7" }
        #expect(issued.count == 2)
        #expect(issued.map(\.name) == ["周敏", "周敏"])
        #expect(state.revokedFingerprints().isEmpty)
        // Again, revoking the earlier two.
        let third = try state.renew("knock://member/m-7", validity: 365 * 86_400, address: "127.0.0.1:7443", serverName: "localhost", revokeEarlier: true)
        #expect(Set(state.revokedFingerprints()) == Set(third.earlier.map(\.fingerprint)))
        #expect(third.earlier.count == 2)
        // Unknown identities, and revoked ones, are not renewed.
        #expect(throws: PKIError.self) { try state.renew("knock://member/nobody", validity: 86_400, address: "127.0.0.1:7443", serverName: "localhost", revokeEarlier: false) }
        try state.revoke("knock://member/m-7")
        #expect(throws: PKIError.self) { try state.renew("knock://member/m-7", validity: 86_400, address: "127.0.0.1:7443", serverName: "localhost", revokeEarlier: false) }
    }

    @Test("a watched list is read again only when it changed: appended, replaced, or gone")
    func watchedFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("knock-watched-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let watched = WatchedFile(file)
        #expect(watched.contentsIfChanged() == .some(nil))
        #expect(watched.contentsIfChanged() == nil)
        try Data("a\n".utf8).write(to: file)
        #expect(watched.contentsIfChanged() == .some(Data("a\n".utf8)))
        #expect(watched.contentsIfChanged() == nil)
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("b\n".utf8))
        try handle.close()
        #expect(watched.contentsIfChanged() == .some(Data("a\nb\n".utf8)))
        try Data("c\nd\n".utf8).write(to: file, options: .atomic)
        #expect(watched.contentsIfChanged() == .some(Data("c\nd\n".utf8)))
        try FileManager.default.removeItem(at: file)
        #expect(watched.contentsIfChanged() == .some(nil))
    }
}
