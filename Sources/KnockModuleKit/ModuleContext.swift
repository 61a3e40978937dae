public import Foundation
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
    var settings: ModuleSettings

    /// The deployment's time zone, where days begin and end (the host's `time_zone`; a module
    /// in its own process learns it when it registers).
    public var timeZone: TimeZone {
        get { settings.timeZone }
        set { settings.replace(with: settings.current, timeZone: newValue) }
    }

    /// Days and times of day in the deployment's time zone.
    public var calendar: ModuleCalendar { ModuleCalendar(timeZone: timeZone) }

    /// The configuration read as `type`, once per configuration: later calls return what the
    /// first read, until the configuration changes. A configuration that does not read throws
    /// every time.
    /// - Parameter type: The module's settings.
    /// - Throws: What `type`'s initializer throws for this configuration.
    public func configuration<Settings: ModuleConfigurationSettings>(as type: Settings.Type) throws -> Settings {
        try settings.read(type)
    }

    /// Waits until the module's configuration is known (at once, except for a module in its own
    /// process that has not finished registering).
    public func waitUntilConfigured() async {
        await settings.waitUntilConfigured()
    }
    /// The module's own records, invisible to other modules.
    public var store: any ModuleStore
    /// Calls to the host's core services, limited to what the module's descriptor asked for and
    /// the deployment granted; `nil` where no host is reachable (a unit test).
    public var host: (any HostCalling)?

    /// Facts the module stored that it need not read again while it runs (see
    /// ``LearnedFacts``); one memory for the module, shared by every copy of its context.
    public let learned: LearnedFacts

    /// Creates a context.
    /// - Parameters:
    ///   - moduleID: The module's id.
    ///   - logger: Where it logs.
    ///   - clock: Its clock.
    ///   - configuration: Its configuration.
    ///   - timeZone: The deployment's time zone (Knock's default: Asia/Shanghai).
    ///   - store: Its store.
    ///   - host: A client for the host's services.
    public init(
        moduleID: String,
        logger: Logger,
        clock: any ModuleClock = SystemClock(),
        configuration: [String: String] = [:],
        timeZone: TimeZone = ModuleCalendar.knockDefault.timeZone,
        store: any ModuleStore,
        host: (any HostCalling)? = nil
    ) {
        self.moduleID = moduleID
        self.logger = logger
        self.clock = clock
        self.settings = ModuleSettings(configuration, timeZone: timeZone)
        self.store = store
        self.host = host
        self.learned = LearnedFacts()
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

/// The configuration a context reads, replaceable when a module (re)registers. A module in
/// its own process gets its configuration from the host when it registers; until then the
/// strategy points wait (``waitUntilConfigured()``), so the host never consults a module that
/// does not yet know its settings.
final class ModuleSettings: Sendable {
    private struct State {
        var values: [String: String]
        var timeZone: TimeZone
        var configured: Bool
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// The configuration as read by ``read(_:)``, by settings type.
        var read: [ObjectIdentifier: any Sendable] = [:]
    }

    private let state: Mutex<State>

    init(_ values: [String: String], timeZone: TimeZone = ModuleCalendar.knockDefault.timeZone, configured: Bool = true) {
        state = Mutex(State(values: values, timeZone: timeZone, configured: configured))
    }

    var current: [String: String] { state.withLock { $0.values } }

    var timeZone: TimeZone { state.withLock { $0.timeZone } }

    /// Sets the configuration (and the time zone, if given) and releases everything waiting for it.
    func replace(with values: [String: String], timeZone: TimeZone? = nil) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.values = values
            state.read = [:]
            if let timeZone { state.timeZone = timeZone }
            state.configured = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The configuration read as `type`, read once until it changes.
    func read<Settings: ModuleConfigurationSettings>(_ type: Settings.Type) throws -> Settings {
        let (values, known) = state.withLock { ($0.values, $0.read[ObjectIdentifier(type)] as? Settings) }
        if let known { return known }
        let settings = try Settings(values)
        state.withLock { state in
            // Unless the configuration changed meanwhile.
            if state.values == values { state.read[ObjectIdentifier(type)] = settings }
        }
        return settings
    }

    /// Returns once a configuration has been set.
    func waitUntilConfigured() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.configured { return true }
                state.waiters.append(waiter)
                return false
            }
            if ready { waiter.resume() }
        }
    }
}
