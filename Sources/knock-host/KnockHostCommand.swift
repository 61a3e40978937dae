import ArgumentParser
import Foundation
import KnockHost
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
        subcommands: [Init.self, Serve.self, Demo.self, IssueCert.self, RevokeCert.self]
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
    static let configuration = CommandConfiguration(commandName: "issue-cert", abstract: "Issue a certificate for a member's app, a module, an integrator or a department.")
    @OptionGroup var options: StateOption
    @Option(help: "member, module, integrator, department or admin.") var kind: String
    @Option(help: "The id, e.g. m-0012, canteen, hospital-a.") var id: String
    @Option(help: "A readable name (UTF-8), e.g. 李四.") var name: String?
    @Option(help: "Days of validity.") var days = 365
    @Option(help: "The name in the host's certificate the holder checks (default: the one init chose).") var serverName: String?

    func run() async throws {
        try await reporting {
            guard ["member", "module", "integrator", "department", "admin"].contains(kind) else {
                throw PKIError(.invalidRequest, "--kind must be member, module, integrator, department or admin, not \(kind)")
            }
            let state = options.hostState
            let configuration = try await HostConfiguration.load(file: state.configurationFile)
            let identity = KnockIdentity(kind: KnockIdentity.Kind(rawValue: kind), id: id)
            let folder = try state.issue(identity: identity, commonName: name ?? id, validity: TimeInterval(days) * 86_400,
                                         address: configuration.address, serverName: serverName ?? state.serverName)
            print("Issued \(identity.uri), valid \(days) days: \(folder.path)")
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
