import Configuration
public import Foundation
import KnockPKI
import SystemPackage

/// What `knock-host serve` runs with: read from `<state>/knock-host.yaml`, with every value
/// overridable by an environment variable named after its key (`listen.port` ←
/// `KNOCK_LISTEN_PORT`, `store.url` ← `KNOCK_STORE_URL`).
public struct HostConfiguration: Sendable {
    /// A module executable the host starts and keeps running.
    public struct SupervisedModule: Sendable, Hashable {
        /// The module id (its certificate is issued for `knock://module/<id>`).
        public var id: String
        /// The executable.
        public var executable: String
        /// Its arguments.
        public var arguments: [String]

        /// Describes a supervised module.
        /// - Parameters:
        ///   - id: The module id.
        ///   - executable: The executable.
        ///   - arguments: Its arguments.
        public init(id: String, executable: String, arguments: [String] = []) {
            self.id = id
            self.executable = executable
            self.arguments = arguments
        }
    }

    /// The deployment's name, e.g. 工人村街.
    public var name = "Knock"
    /// The address to listen on.
    public var listenHost = "127.0.0.1"
    /// The port to listen on.
    public var listenPort = 7443
    /// What clients dial, `host:port`, written into issued identities.
    public var address = "127.0.0.1:7443"
    /// Where records are kept: `sqlite:<path>` (relative to the state directory) or a
    /// `postgres://` URL.
    public var storeURL = "sqlite:knock.sqlite"
    /// Where days begin and end for plans, cadences and coverage (an IANA time zone id).
    public var timeZone = "Asia/Shanghai"
    /// Connections served at once.
    public var maxConnections = 4_096
    /// Connections served at once per certificate.
    public var maxConnectionsPerPeer = 64
    /// Calls served at once per connection.
    public var maxConcurrentCalls = 100
    /// Keepalive interval; 0 disables it.
    public var keepaliveSeconds = 30
    /// Close connections idle this long; 0 never.
    public var idleTimeoutSeconds = 0
    /// How often the methods' scheduled checks run (the `tick` event), in seconds; 0 never (an
    /// administrator can still run them with `knock tick`).
    public var tickSeconds = 60
    /// Module ids allowed to run; empty allows every module.
    public var enabledModules: [String] = []
    /// Communities per module id; a module with none listed serves every community.
    public var moduleCommunities: [String: [String]] = [:]
    /// Configuration per module id.
    public var moduleConfiguration: [String: [String: String]] = [:]
    /// Time limits per module id.
    public var moduleLimits: [String: ModuleLimits] = [:]
    /// Module executables to supervise.
    public var supervised: [SupervisedModule] = []

    /// Creates the default configuration.
    public init() {}

    /// Reads the configuration.
    /// - Parameters:
    ///   - file: The YAML file (a missing file means every default).
    ///   - environment: Environment variables; those starting with `KNOCK_` override the file.
    ///   - moduleIDs: The module ids to read per-module settings for (built-in modules and
    ///     any named in the file are added).
    /// - Throws: If the file is not valid YAML or a value has the wrong type.
    public static func load(file: URL, environment: [String: String] = ProcessInfo.processInfo.environment, moduleIDs: [String] = []) async throws -> HostConfiguration {
        var overrides: [String: String] = [:]
        for (key, value) in environment where key.hasPrefix("KNOCK_") {
            overrides[String(key.dropFirst("KNOCK_".count))] = value
        }
        let reader = ConfigReader(providers: [
            EnvironmentVariablesProvider(environmentVariables: overrides),
            try await FileProvider<YAMLSnapshot>(filePath: FilePath(file.path), allowMissing: true),
        ])
        var configuration = HostConfiguration()
        configuration.name = reader.string(forKey: "name", default: configuration.name)
        configuration.listenHost = reader.string(forKey: "listen.host", default: configuration.listenHost)
        configuration.listenPort = reader.int(forKey: "listen.port", default: configuration.listenPort)
        configuration.address = reader.string(forKey: "listen.address", default: "\(configuration.listenHost):\(configuration.listenPort)")
        configuration.storeURL = reader.string(forKey: "store.url", default: configuration.storeURL)
        configuration.timeZone = reader.string(forKey: "time_zone", default: configuration.timeZone)
        guard TimeZone(identifier: configuration.timeZone) != nil else {
            throw PKIError(.invalidRequest, "time_zone: \(configuration.timeZone) is not a time zone id (such as Asia/Shanghai)")
        }
        configuration.maxConnections = reader.int(forKey: "limits.max_connections", default: configuration.maxConnections)
        configuration.maxConnectionsPerPeer = reader.int(forKey: "limits.max_connections_per_peer", default: configuration.maxConnectionsPerPeer)
        configuration.maxConcurrentCalls = reader.int(forKey: "limits.max_concurrent_calls", default: configuration.maxConcurrentCalls)
        configuration.keepaliveSeconds = reader.int(forKey: "limits.keepalive_seconds", default: configuration.keepaliveSeconds)
        configuration.idleTimeoutSeconds = reader.int(forKey: "limits.idle_timeout_seconds", default: configuration.idleTimeoutSeconds)
        configuration.tickSeconds = reader.int(forKey: "modules.tick_seconds", default: configuration.tickSeconds)
        guard configuration.tickSeconds >= 0 else {
            throw PKIError(.invalidRequest, "modules.tick_seconds: \(configuration.tickSeconds) must be 0 (never) or more")
        }
        configuration.enabledModules = reader.stringArray(forKey: "modules.enabled", default: [])
        let supervisedIDs = reader.stringArray(forKey: "modules.supervised", default: [])
        for id in Set(moduleIDs + configuration.enabledModules + supervisedIDs) {
            let module = reader.scoped(to: ConfigKey(["modules", id]))
            if let communities = module.stringArray(forKey: "communities") {
                configuration.moduleCommunities[id] = communities
            }
            let pairs = module.stringArray(forKey: "config", default: [])
            configuration.moduleConfiguration[id] = Dictionary(pairs.compactMap { pair -> (String, String)? in
                guard let equals = pair.firstIndex(of: "=") else { return nil }
                return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
            }, uniquingKeysWith: { _, last in last })
            let defaults = ModuleLimits()
            configuration.moduleLimits[id] = ModuleLimits(
                assess: .milliseconds(module.int(forKey: "assess_timeout_ms", default: Int(defaults.assess.components.seconds * 1_000))),
                plan: .milliseconds(module.int(forKey: "plan_timeout_ms", default: Int(defaults.plan.components.seconds * 1_000))),
                handle: .milliseconds(module.int(forKey: "handle_timeout_ms", default: Int(defaults.handle.components.seconds * 1_000)))
            )
            if supervisedIDs.contains(id), let executable = module.string(forKey: "executable") {
                configuration.supervised.append(SupervisedModule(id: id, executable: executable, arguments: module.stringArray(forKey: "arguments", default: [])))
            }
        }
        return configuration
    }

    /// The commented configuration `knock-host init` writes.
    /// - Parameters:
    ///   - name: The deployment's name.
    ///   - address: What clients dial.
    static func defaultFile(name: String, address: String) -> String {
        let port = address.split(separator: ":").last.map(String.init) ?? "7443"
        return """
        # knock-host configuration for \(name).
        # Every value can be overridden by an environment variable named after its key:
        # KNOCK_LISTEN_PORT=7444 overrides listen.port, KNOCK_STORE_URL overrides store.url.

        name: "\(name)"
        time_zone: "Asia/Shanghai"   # where days begin and end for plans and coverage

        listen:
          host: 127.0.0.1          # 0.0.0.0 to accept connections from other machines
          port: \(port)
          address: "\(address)"    # what clients dial; written into the identities the host issues

        store:
          # sqlite:<file> (relative to this directory) keeps records in one local file;
          # postgres://user:password@host:5432/knock shares one store among several hosts.
          url: "sqlite:knock.sqlite"

        limits:
          max_connections: 4096
          max_connections_per_peer: 64   # per certificate; more get GOAWAY ENHANCE_YOUR_CALM
          max_concurrent_calls: 100  # per connection; more get RESOURCE_EXHAUSTED
          keepalive_seconds: 30
          idle_timeout_seconds: 0    # 0: never close idle connections

        modules:
          # Module ids allowed to run (built-in or dialing in); empty allows every module.
          enabled: []
          # How often the methods' scheduled checks run (a key person not reached by the end of
          # the day, a ladder step not acknowledged, a child not collected); 0: only `knock tick`.
          tick_seconds: 60
          # Module executables the host starts, restarts and stops, by id.
          supervised: []
          # Per module: communities, time limits, configuration. For example:
          # canteen:
          #   communities: ["qinghe"]
          #   assess_timeout_ms: 2000
          #   plan_timeout_ms: 10000
          #   config: ["subsidy_advanced_age=5", "subsidy_low_income=8"]
          # elder-watch:
          #   executable: "/opt/knock/modules/elder-watch"
          #   arguments: []

        """
    }
}
