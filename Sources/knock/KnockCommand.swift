import ArgumentParser
import Foundation
import KnockMessages
import KnockRPC

/// `knock`, the reference client of a Knock host.
@main
struct KnockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knock",
        abstract: "The reference client of a Knock host (天天敲门组).",
        subcommands: [
            VisitCommand.self, PlanCommand.self, NeedsCommand.self, KeyPersonsCommand.self, MembersCommand.self, AlertsCommand.self, CoverageCommand.self,
            ImportCommand.self, ExportCommand.self, AuditCommand.self, TickCommand.self, Call.self, Modules.self, Health.self, Metrics.self,
        ]
    )
}

/// How results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}

/// Options every subcommand takes.
struct ClientOptions: ParsableArguments {
    @Option(help: "Identity directory (cert.pem, key.pem, ca.pem, host). Default: $KNOCK_IDENTITY or ./knock-state/identities/admin-admin.")
    var identity: String?

    @Option(help: "The host to dial, host:port (default: the one in the identity directory).")
    var host: String?

    @Option(help: "Output: table or json.")
    var output: OutputFormat = .table

    var json: Bool { output == .json }

    func connect() async throws -> RPCConnection {
        let path = identity ?? ProcessInfo.processInfo.environment["KNOCK_IDENTITY"] ?? "knock-state/identities/admin-admin"
        return try await Identity(path: path).connect(override: host)
    }
}

extension AsyncParsableCommand {
    /// Runs `body`, printing a CLIError or RPCError as one line and exiting 1.
    func reporting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("knock: \(error.description)\n".utf8))
            throw ExitCode(1)
        } catch let error as RPCError {
            FileHandle.standardError.write(Data("knock: \(error.code.name): \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct Modules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the modules loaded: built-in or remote, healthy or not.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await reporting {
            let connection = try await options.connect()
            defer { connection.close() }
            let response = try await connection.call(RPCMethod<HostListModulesRequest, HostListModulesResponse>("knock.host.ListModules"), HostListModulesRequest(), options: CallOptions(timeout: .seconds(10)))
            if options.json {
                print(try response.jsonString())
                return
            }
            let rows = response.modules.map { module in
                [module.id, module.nameZh, module.nameEn, module.version, module.origin, (module.healthy ? "healthy" : "down") + (module.processState.isEmpty ? "" : ", \(module.processState)") + (module.restarts > 0 ? ", \(module.restarts) restarts" : ""),
                 "\(module.answered)/\(module.failed)/\(module.timedOut)"]
            }
            print(Table.render(header: ["ID", "名称", "NAME", "VERSION", "ORIGIN", "STATE", "OK/ERR/TIMEOUT"], rows: rows))
            if rows.isEmpty { print("(no modules loaded)") }
        }
    }
}

struct Health: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show whether the host is serving.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await reporting {
            let connection = try await options.connect()
            defer { connection.close() }
            let health = try await connection.call(RPCMethod<HostHealthRequest, HostHealthResponse>("knock.host.Health"), HostHealthRequest(), options: CallOptions(timeout: .seconds(10)))
            if options.json {
                print(try health.jsonString())
            } else {
                print("\(health.status): knock-host \(health.version), up \(health.uptimeSeconds) s, \(health.connections) connections, \(health.modules) modules")
            }
        }
    }
}

struct Metrics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the host's metrics (Prometheus text format).")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await reporting {
            let connection = try await options.connect()
            defer { connection.close() }
            let metrics = try await connection.call(RPCMethod<HostMetricsRequest, HostMetricsResponse>("knock.host.Metrics"), HostMetricsRequest(), options: CallOptions(timeout: .seconds(10)))
            print(metrics.text, terminator: "")
        }
    }
}
