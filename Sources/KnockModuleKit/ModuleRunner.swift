public import Foundation
import KnockTLS
public import Logging
import NIOCore

/// Runs a ``KnockModule`` as its own process: dials the host over mutual TLS with the module's
/// own certificate, registers its descriptor, then serves the host's calls on that connection,
/// reaching its store and the host's services through the host. If the connection drops (the
/// host restarts), it dials again with backoff.
///
/// A module executable is three lines:
/// ```swift
/// @main struct Main {
///     static func main() async throws {
///         try await ModuleRunner(module: MyModule(), configuration: .fromEnvironment()).run()
///     }
/// }
/// ```
public struct ModuleRunner: Sendable {
    /// Where the host is and which certificate the module presents.
    public struct Configuration: Sendable {
        /// The host's address.
        public var host: String
        /// The host's port.
        public var port: Int
        /// The name the host's certificate must carry.
        public var serverName: String
        /// The module's certificate (PEM file).
        public var certificatePath: String
        /// The module's private key (PEM file).
        public var privateKeyPath: String
        /// The deployment CA (PEM file).
        public var caPath: String
        /// Longest wait between reconnection attempts.
        public var maxBackoff: Duration

        /// Creates a configuration.
        /// - Parameters:
        ///   - host: The host's address.
        ///   - port: The host's port.
        ///   - serverName: The name in the host's certificate (default: `host`).
        ///   - certificatePath: The module's certificate.
        ///   - privateKeyPath: Its key.
        ///   - caPath: The deployment CA.
        ///   - maxBackoff: Longest reconnection wait (default 10 s).
        public init(host: String, port: Int, serverName: String? = nil, certificatePath: String, privateKeyPath: String, caPath: String, maxBackoff: Duration = .seconds(10)) {
            self.host = host
            self.port = port
            self.serverName = serverName ?? host
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
            self.caPath = caPath
            self.maxBackoff = maxBackoff
        }

        /// Reads the configuration the host's supervisor passes to a module it starts:
        /// `KNOCK_HOST` (`host:port`), `KNOCK_SERVER_NAME`, `KNOCK_MODULE_CERT`,
        /// `KNOCK_MODULE_KEY`, `KNOCK_CA`.
        /// - Parameter environment: The environment (default: this process's).
        /// - Throws: ``RPCError`` `INVALID_ARGUMENT` naming the missing or malformed variable.
        public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Configuration {
            func value(_ name: String) throws -> String {
                guard let value = environment[name], !value.isEmpty else {
                    throw RPCError(code: .invalidArgument, message: "environment variable \(name) is not set")
                }
                return value
            }
            let address = try value("KNOCK_HOST")
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
                throw RPCError(code: .invalidArgument, message: "KNOCK_HOST must be host:port, not \(address)")
            }
            let host = String(address[..<colon])
            return Configuration(
                host: host, port: port, serverName: environment["KNOCK_SERVER_NAME"] ?? host,
                certificatePath: try value("KNOCK_MODULE_CERT"), privateKeyPath: try value("KNOCK_MODULE_KEY"), caPath: try value("KNOCK_CA")
            )
        }
    }

    let module: any KnockModule
    let configuration: Configuration
    let logger: Logger
    let clock: any ModuleClock

    /// Creates a runner.
    /// - Parameters:
    ///   - module: The module.
    ///   - configuration: Host address and certificate files.
    ///   - clock: The module's clock.
    ///   - logger: Where the runner and the module log.
    public init(module: any KnockModule, configuration: Configuration, clock: any ModuleClock = SystemClock(), logger: Logger? = nil) {
        self.module = module
        self.configuration = configuration
        self.clock = clock
        self.logger = logger ?? Logger(label: "knock.module.\(module.descriptor.id)")
    }

    /// Connects, registers and serves until the task is cancelled, reconnecting when the
    /// connection drops.
    /// - Throws: ``RPCError`` if the descriptor is invalid, the certificate files cannot be
    ///   loaded, or the host refuses the registration (wrong identity, module disabled).
    public func run() async throws {
        let descriptor = module.descriptor
        try descriptor.validate()
        let tls = try TLSContext(configuration: .client(
            certificateChain: .file(configuration.certificatePath),
            privateKey: .file(configuration.privateKeyPath),
            trustRoots: .file(configuration.caPath),
            serverName: configuration.serverName
        ))
        let link = HostLink()
        var context = ModuleContext(
            moduleID: descriptor.id, logger: logger, clock: clock,
            store: RemoteModuleStore(host: link), host: link
        )
        // The host's configuration arrives with the registration; until then calls wait.
        context.settings = ModuleSettings([:], configured: false)
        var router = RPCRouter()
        router.add(ModuleService(module: module, context: context))
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                let connection = try await RPCConnection.connect(
                    to: configuration.host, port: configuration.port, tls: tls,
                    serverName: configuration.serverName, router: router, logger: logger
                )
                link.set(connection)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask(executorPreference: connection.servingExecutor) { await connection.run() }
                    var request = ModuleRegisterRequest()
                    request.descriptor = descriptor
                    let registered = try await connection.call(ModuleMethods.register, request, options: CallOptions(timeout: .seconds(10)))
                    guard let timeZone = registered.timeZone.isEmpty ? ModuleCalendar.knockDefault.timeZone : TimeZone(identifier: registered.timeZone) else {
                        throw RPCError(code: .failedPrecondition, message: "the host's time zone \(registered.timeZone) is not one this system knows")
                    }
                    do {
                        try module.validate(configuration: registered.configuration)
                    } catch {
                        throw RPCError(code: .failedPrecondition, message: "the host's configuration for module \(descriptor.id) is not valid: \((error as? RPCError)?.message ?? "\(error)")")
                    }
                    context.settings.replace(with: registered.configuration, timeZone: timeZone)
                    logger.info("registered with the host", metadata: ["communities": "\(registered.communities)"])
                    backoff = .milliseconds(100)
                    try await withTaskCancellationHandler {
                        try await connection.closeFuture.get()
                    } onCancel: {
                        connection.drain(message: "module stopping")
                    }
                    group.cancelAll()
                }
                link.set(nil)
                if Task.isCancelled { return }
                logger.warning("connection to the host closed; reconnecting")
            } catch let error as RPCError where error.code == .permissionDenied || error.code == .invalidArgument || error.code == .failedPrecondition {
                link.set(nil)
                logger.error("the host refused the module", metadata: ["error": "\(error)"])
                throw error
            } catch {
                link.set(nil)
                if Task.isCancelled { return }
                logger.warning("cannot reach the host; retrying", metadata: ["error": "\(error)", "in": "\(backoff)"])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, configuration.maxBackoff)
        }
    }
}
