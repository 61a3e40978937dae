import Foundation
import KnockAllocator
import KnockBuiltIns
import KnockHost
import KnockStore
import Logging
import ServiceLifecycle

/// Starts a host from its state directory: configuration, store, built-in modules, signals.
enum HostServer {
    /// Serves `state`; with `demo`, first writes 工人村街's demo street into an empty store.
    static func serve(state: HostState, demo: Bool = false) async throws {
        guard state.exists else {
            throw StoreError(code: .invalidArgument, message: "\(state.directory.path) is not a Knock state directory; run knock-host init first")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["KNOCK_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        let logger = Logger(label: "knock.host")
        logger.info("starting", metadata: ["state": "\(state.directory.path)", "allocator": "\(ProcessAllocator.description)"])
        let configuration = try await HostConfiguration.load(file: state.configurationFile, moduleIDs: BuiltInMethods.all.map(\.descriptor.id))
        let location = try storeLocation(configuration.storeURL, state: state)
        try await KnockDatabase.withDatabase(at: location, logger: logger) { database in
            if demo, let seeded = try await DemoStreet.gongrencun(asOf: Date()).seed(into: database) {
                logger.info("seeded the demo street 工人村街", metadata: [
                    "grids": "\(seeded.grids)", "members": "\(seeded.members)", "households": "\(seeded.households)",
                    "residents": "\(seeded.residents)", "key_persons": "\(seeded.keyPersons)",
                ])
            }
            let runtime = HostRuntime(
                state: state, configuration: configuration, builtIns: BuiltInMethods.all,
                stores: { DatabaseModuleStore(database: database, module: $0) }, database: database, logger: logger
            )
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [.init(service: runtime)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            ))
            try await group.run()
        }
    }

    static func storeLocation(_ url: String, state: HostState) throws -> StoreLocation {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return .postgres(url: url) }
        guard url.hasPrefix("sqlite:") else {
            throw StoreError(code: .invalidArgument, message: "store.url must be sqlite:<file> or postgres://…, not \(url)")
        }
        let path = String(url.dropFirst("sqlite:".count))
        return .sqlite(path: path.hasPrefix("/") ? path : state.directory.appendingPathComponent(path).path)
    }
}
