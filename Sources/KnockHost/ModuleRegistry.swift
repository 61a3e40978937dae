import Foundation
public import KnockModuleKit
public import Logging
import Synchronization

/// The modules the host knows: built-in ones linked into it and remote ones that dialed in.
/// Every module is reached the same way, through an ``RPCConnection`` on which the host calls
/// `knock.module.*` and the module's own methods.
public final class ModuleRegistry: Sendable {
    /// One module as the host sees it.
    public struct Entry: Sendable {
        /// What the module said it is.
        public var descriptor: ModuleDescriptor
        /// Built-in or remote.
        public var origin: ModuleOrigin
        /// The connection the host calls the module on.
        public var connection: RPCConnection
        /// For a module linked into the host: its strategy points, which the coordinator calls
        /// directly instead of over ``connection``.
        public var linked: LinkedModule?
        /// When it (last) registered.
        public var since: Date
    }

    /// Counters per module, for health and metrics.
    public struct Health: Sendable, Hashable {
        /// Calls the module answered.
        public var answered = 0
        /// Calls that failed with an error from the module.
        public var failed = 0
        /// Calls cut off at the module's time limit.
        public var timedOut = 0
    }

    private struct State {
        var entries: [String: Entry] = [:] {
            // Read at every strategy point: kept in order here rather than sorted per read.
            didSet {
                sorted = entries.values.sorted { $0.descriptor.id < $1.descriptor.id }
                generation += 1
            }
        }
        /// Counts the changes of `entries`, for what is worked out from them.
        private(set) var generation = 0
        /// `entries` by id.
        private(set) var sorted: [Entry] = []
        var health: [String: Health] = [:]
    }

    private let state = Mutex(State())
    private let logger: Logger

    /// Creates an empty registry.
    /// - Parameter logger: Where registrations are logged.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Adds or replaces a module (a remote module that reconnects replaces its old connection,
    /// which is closed).
    /// - Parameters:
    ///   - descriptor: The module's descriptor, already validated.
    ///   - origin: Built-in or remote.
    ///   - connection: The connection to call it on.
    ///   - linked: For a module linked into the host, its strategy points to call directly.
    func add(_ descriptor: ModuleDescriptor, origin: ModuleOrigin, connection: RPCConnection, linked: LinkedModule? = nil) {
        let entry = Entry(descriptor: descriptor, origin: origin, connection: connection, linked: linked, since: Date())
        let replaced = state.withLock { state -> RPCConnection? in
            let old = state.entries[descriptor.id]?.connection
            state.entries[descriptor.id] = entry
            if state.health[descriptor.id] == nil { state.health[descriptor.id] = Health() }
            return old
        }
        if let replaced, replaced !== connection { replaced.close() }
        logger.info("module registered", metadata: ["module": "\(descriptor.id)", "origin": "\(origin.label)", "version": "\(descriptor.version)"])
        let id = descriptor.id
        connection.closeFuture.whenComplete { [weak self] _ in
            self?.remove(id, ifConnection: connection)
        }
    }

    private func remove(_ id: String, ifConnection connection: RPCConnection) {
        let removed = state.withLock { state -> Bool in
            guard state.entries[id]?.connection === connection else { return false }
            state.entries[id] = nil
            return true
        }
        if removed { logger.warning("module disconnected", metadata: ["module": "\(id)"]) }
    }

    /// The module with `id`, if it is connected.
    /// - Parameter id: A module id.
    public func entry(_ id: String) -> Entry? {
        state.withLock { $0.entries[id] }
    }

    /// Every connected module, by id.
    public var entries: [Entry] {
        state.withLock { $0.sorted }
    }

    /// Changes with every module added or removed: what is worked out from ``entries`` holds
    /// while it stays the same.
    var generation: Int {
        state.withLock { $0.generation }
    }

    /// The counters of `id`.
    /// - Parameter id: A module id.
    public func health(_ id: String) -> Health {
        state.withLock { $0.health[id] ?? Health() }
    }

    func record(_ id: String, _ outcome: ModuleCallOutcome) {
        state.withLock { state in
            var health = state.health[id] ?? Health()
            switch outcome {
            case .answered: health.answered += 1
            case .failed: health.failed += 1
            case .timedOut: health.timedOut += 1
            }
            state.health[id] = health
        }
    }
}

/// How one call to a module went.
enum ModuleCallOutcome {
    case answered
    case failed
    case timedOut
}
