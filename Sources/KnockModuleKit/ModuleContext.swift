public import Logging
import Synchronization

/// What a module's code gets from wherever it runs: a logger, a clock, its configuration, its
/// own store, and a client for the host's core services. The host (or ``ModuleRunner``) builds
/// it; tests build one by hand.
public struct ModuleContext: Sendable {
    /// The module's id.
    public var moduleID: String
    /// Where the module logs (labelled with its id).
    public var logger: Logger
    /// The time, injectable for tests.
    public var clock: any ModuleClock
    /// The module's configuration for this deployment (from the host's configuration file;
    /// a module running as its own process receives it when it registers).
    public var configuration: [String: String] {
        get { settings.current }
        set { settings.replace(with: newValue) }
    }
    let settings: ModuleSettings
    /// The module's own records, invisible to other modules.
    public var store: any ModuleStore
    /// Calls to the host's core services, limited to what the module's descriptor asked for and
    /// the deployment granted; `nil` where no host is reachable (a unit test).
    public var host: (any HostCalling)?

    /// Creates a context.
    /// - Parameters:
    ///   - moduleID: The module's id.
    ///   - logger: Where it logs.
    ///   - clock: Its clock.
    ///   - configuration: Its configuration.
    ///   - store: Its store.
    ///   - host: A client for the host's services.
    public init(
        moduleID: String,
        logger: Logger,
        clock: any ModuleClock = SystemClock(),
        configuration: [String: String] = [:],
        store: any ModuleStore,
        host: (any HostCalling)? = nil
    ) {
        self.moduleID = moduleID
        self.logger = logger
        self.clock = clock
        self.settings = ModuleSettings(configuration)
        self.store = store
        self.host = host
    }
}

/// Something that can call the host's methods: the connection to the host.
public protocol HostCalling: Sendable {
    /// Calls a unary method of the host.
    /// - Parameters:
    ///   - method: The method.
    ///   - request: The request.
    ///   - options: Deadline, metadata, idempotency key.
    /// - Returns: The response.
    /// - Throws: ``RPCError``.
    func call<Request, Response>(_ method: RPCMethod<Request, Response>, _ request: Request, options: CallOptions) async throws -> Response
}

extension RPCConnection: HostCalling {}

/// The configuration a context reads, replaceable when a module (re)registers.
final class ModuleSettings: Sendable {
    private let values: Mutex<[String: String]>

    init(_ values: [String: String]) {
        self.values = Mutex(values)
    }

    var current: [String: String] { values.withLock { $0 } }

    func replace(with values: [String: String]) {
        self.values.withLock { $0 = values }
    }
}
