import ArgumentParser
import Foundation
import KnockHost
import KnockModuleKit
import KnockDomain
import KnockPKI
import KnockStore
import Logging
import ServiceLifecycle

/// `knock-host`, the street office's host.
@main
struct KnockHostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knock-host",
        abstract: "The host of a street's door-knocking groups (天天敲门组).",
        subcommands: [Init.self, Serve.self, Demo.self, IssueCert.self, RenewCert.self, RevokeCert.self, Certs.self]
    )
}

/// Where the state directory is.
struct StateOption: ParsableArguments {
    @Option(help: "State directory (CA, certificates, configuration, store). Default: $KNOCK_STATE or ./knock-state.")
    var state: String?

    var hostState: HostState {
        HostState(path: state ?? ProcessInfo.processInfo.environment["KNOCK_STATE"] ?? "knock-state")
    }
}

extension ParsableCommand {
    /// Runs `body`, printing a failure as one line (no stack of Swift types) and exiting 1.
    func reporting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as PKIError {
            FileHandle.standardError.write(Data("knock-host: \(error.message)\n".utf8))
            throw ExitCode(1)
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("knock-host: \(error)\n".utf8))
            throw ExitCode(1)
        } catch let error as RPCError {
            FileHandle.standardError.write(Data("knock-host: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a state directory: the deployment's CA, the host's certificate, an administrator's identity and a commented configuration.")
    @OptionGroup var options: StateOption
    @Option(help: "The deployment's name, e.g. 工人村街.") var name = "Knock"
    @Option(name: .customLong("host-name"), help: "A DNS name or IP address the host is reached at (repeatable).") var hostNames: [String] = ["localhost", "127.0.0.1"]
    @Option(help: "The address clients dial, host:port.") var address = "127.0.0.1:7443"

    func run() async throws {
        try await reporting {
            let state = options.hostState
            let admin = try state.initialise(name: name, hostNames: hostNames, address: address)
            print("""
            Created \(state.directory.path):
              ca/ca.pem                 the deployment's CA (its key stays in ca/)
              host/cert.pem             the host's certificate for \(hostNames.joined(separator: ", "))
              \(admin.path.replacingOccurrences(of: state.directory.path + "/", with: ""))/   the administrator's identity (knock --identity)
              knock-host.yaml           the configuration
            Next: knock-host serve --state \(state.directory.path)
            """)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve: the listener, the modules and the host's services, until SIGTERM or SIGINT (which drain in-flight calls).")
    @OptionGroup var options: StateOption

    func run() async throws {
        try await reporting {
            try await HostServer.serve(state: options.hostState)
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Initialise a demo state directory if needed, then serve it.")
    @OptionGroup var options: StateOption

    func run() async throws {
        try await reporting {
            var state = options.hostState
            if options.state == nil, ProcessInfo.processInfo.environment["KNOCK_STATE"] == nil {
                state = HostState(path: "knock-demo")
            }
            if !state.exists {
                try state.initialise(name: "工人村街", hostNames: ["localhost", "127.0.0.1"], address: "127.0.0.1:7443")
                print("Created the demo deployment in \(state.directory.path); the administrator's identity is in identities/admin-admin.")
                // A grid member's app: the staff member of 青和居's first grid.
                let member = DemoStreet.gongrencun().members[0]
                try state.issue(identity: KnockIdentity(kind: .member, id: member.id), commonName: member.name,
                                address: "127.0.0.1:7443", serverName: state.serverName)
            }
            let admin = state.identityDirectory("admin-admin").path
            let member = DemoStreet.gongrencun().members[0]
            let app = state.identityDirectory("member-\(member.id)").path
            print("""
            Serving 工人村街 (青和居 15 grids, 青宜居 8 grids) on 127.0.0.1:7443. In another terminal:
              swift run knock plan today --identity \(app) --member me      # \(member.name)'s knocks today
              swift run knock keypersons --due --identity \(admin)
              swift run knock coverage --identity \(admin)
              swift run knock modules --identity \(admin)
            """)
            try await HostServer.serve(state: state, demo: true)
        }
    }
}

struct IssueCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue-cert",
        abstract: "Issue a certificate for a member's app, a module, an integrator or a department.",
        discussion: """
        An integrator or a department gets the role of its kind and the scope given with --scope,
        recorded by the host (grants.json); it may reach nothing outside that scope. A member's role
        and scope come from the roster, a module's from the configuration (modules.<id>.communities).
        """
    )
    @OptionGroup var options: StateOption
    @Option(help: "member, module, integrator, department or admin.") var kind: String
    @Option(help: "The id, e.g. m-0012, canteen, hospital-a.") var id: String
    @Option(help: "A readable name (UTF-8), e.g. 李四.") var name: String?
    @Option(help: "Days of validity.") var days = 365
    @Option(help: "The name in the host's certificate the holder checks (default: the one init chose).") var serverName: String?
    @Option(help: "Integrators and departments: where they may reach, e.g. community:qinghe, street:gongrencun, grid:qinghe-g01,qinghe-g02.")
    var scope: String?
    @Option(name: .customLong("permission"), help: "Integrators and departments: a permission they hold (repeatable; default: their role's).")
    var permissions: [String] = []

    func run() async throws {
        try await reporting {
            guard ["member", "module", "integrator", "department", "admin"].contains(kind) else {
                throw PKIError(.invalidRequest, "--kind must be member, module, integrator, department or admin, not \(kind)")
            }
            guard days > 0 else { throw PKIError(.invalidRequest, "--days must be at least 1, not \(days)") }
            let identity = KnockIdentity(kind: KnockIdentity.Kind(rawValue: kind), id: id)
            var grant: AccessGrant?
            if kind == "integrator" || kind == "department" {
                guard let scope else {
                    throw PKIError(.invalidRequest, "an \(kind) needs --scope (e.g. community:qinghe or street:gongrencun): it may reach only that")
                }
                do {
                    grant = try AccessGrant(identity: identity.uri, role: kind, scope: scope, permissions: permissions)
                } catch let error as DomainError {
                    throw PKIError(.invalidRequest, error.message)
                }
            } else if scope != nil || !permissions.isEmpty {
                throw PKIError(.invalidRequest, "--scope and --permission are for integrators and departments; a \(kind)'s come from the roster or the configuration")
            }
            let state = options.hostState
            let configuration = try await HostConfiguration.load(file: state.configurationFile)
            let folder = try state.issue(identity: identity, commonName: name ?? id, validity: TimeInterval(days) * 86_400,
                                         address: configuration.address, serverName: serverName ?? state.serverName, grant: grant)
            print("Issued \(identity.uri), valid \(days) days: \(folder.path)")
            if let grant { print("Recorded: \(grant.role) within \(grant.scope), may \(grant.permissions.joined(separator: ", "))") }
        }
    }
}

struct RenewCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renew-cert",
        abstract: "Issue a fresh certificate for an identity issued before, into the same identity directory (its role and scope stay)."
    )
    @OptionGroup var options: StateOption
    @Argument(help: "The identity, e.g. knock://member/m-0012.") var identity: String
    @Option(help: "Days of validity.") var days = 365
    @Flag(help: "Revoke the earlier certificates now instead of letting them expire.") var revokeEarlier = false

    func run() async throws {
        try await reporting {
            guard days > 0 else { throw PKIError(.invalidRequest, "--days must be at least 1, not \(days)") }
            let state = options.hostState
            let configuration = try await HostConfiguration.load(file: state.configurationFile)
            let (folder, earlier) = try state.renew(identity, validity: TimeInterval(days) * 86_400, address: configuration.address,
                                                    serverName: state.serverName, revokeEarlier: revokeEarlier)
            print("Renewed \(identity), valid \(days) days: \(folder.path)")
            let fate = revokeEarlier ? "revoked" : "valid until they expire"
            for entry in earlier { print("  earlier \(entry.fingerprint.prefix(16))… (until \(entry.notAfter)): \(fate)") }
        }
    }
}

struct Certs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the certificates issued: identity, name, expiry, and whether revoked or expiring within 30 days.")
    @OptionGroup var options: StateOption

    func run() async throws {
        try await reporting {
            let state = options.hostState
            let revoked = Set(state.revokedFingerprints())
            let now = Date()
            let parser = ISO8601DateFormatter()
            let book = GrantBook(file: state.grantsFile)
            for entry in try state.issuedCertificates() {
                let expiry = parser.date(from: entry.notAfter)
                let status: String
                if revoked.contains(entry.fingerprint) {
                    status = "revoked"
                } else if let expiry, expiry < now {
                    status = "expired"
                } else if let expiry, expiry.timeIntervalSince(now) < 30 * 86_400 {
                    status = "expires in \(Int(expiry.timeIntervalSince(now) / 86_400)) days: renew-cert"
                } else {
                    status = "valid"
                }
                let grant = book.grant(for: entry.identity).map { " [\($0.role) \($0.scope)]" } ?? ""
                print("\(entry.identity)\t\(entry.name)\t\(entry.notAfter)\t\(status)\(grant)")
            }
        }
    }
}

struct RevokeCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke-cert", abstract: "Revoke certificates by SHA-256 fingerprint or identity URI; a running host refuses them and closes their connections.")
    @OptionGroup var options: StateOption
    @Argument(help: "A fingerprint (hex) or an identity such as knock://member/m-0012.") var target: String

    func run() async throws {
        try await reporting {
            let revoked = try options.hostState.revoke(target)
            print("Revoked \(revoked.count) certificate(s): \(revoked.joined(separator: ", "))")
        }
    }
}
