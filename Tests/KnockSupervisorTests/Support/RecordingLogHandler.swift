import Logging
import Synchronization

/// A log handler that keeps every message, for tests to look at.
struct RecordingLogHandler: LogHandler {
    /// One logged message with the metadata it carried (handler and call-site metadata merged).
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    /// Where the entries of every copy of the handler go.
    final class Store: Sendable {
        private struct State {
            var entries: [Entry] = []
            var outputCount = 0
            var lastOutput: String?
        }

        private let state = Mutex(State())
        let keepsEntries: Bool

        /// - Parameter keepsEntries: Whether to keep every entry, or only count the processes'
        ///   output lines and keep the last one (for floods).
        init(keepsEntries: Bool = true) {
            self.keepsEntries = keepsEntries
        }

        func append(_ entry: Entry) {
            state.withLock { state in
                if entry.metadata["stream"] != nil {
                    state.outputCount += 1
                    state.lastOutput = entry.message
                }
                if keepsEntries {
                    state.entries.append(entry)
                }
            }
        }

        var all: [Entry] {
            state.withLock { $0.entries }
        }

        /// How many lines of process output were logged.
        var outputCount: Int {
            state.withLock { $0.outputCount }
        }

        /// The last line of process output logged.
        var lastOutput: String? {
            state.withLock { $0.lastOutput }
        }

        /// The entries of one module, optionally of one stream only.
        func entries(module: String, stream: String? = nil) -> [Entry] {
            all.filter { entry in
                entry.metadata["module"] == module && (stream == nil || entry.metadata["stream"] == stream)
            }
        }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    init(store: Store) {
        self.store = store
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard store.keepsEntries else {
            // Floods: count only, without the cost of copying metadata.
            store.append(Entry(level: event.level, message: "\(event.message)", metadata: metadata["stream"].map { ["stream": "\($0)"] } ?? [:]))
            return
        }
        var merged: [String: String] = [:]
        for (key, value) in metadata {
            merged[key] = "\(value)"
        }
        for (key, value) in event.metadata ?? [:] {
            merged[key] = "\(value)"
        }
        store.append(Entry(level: event.level, message: "\(event.message)", metadata: merged))
    }
}

extension Logger {
    /// A logger that records into `store`.
    static func recording(into store: RecordingLogHandler.Store) -> Logger {
        Logger(label: "knock-supervisor-tests") { _ in RecordingLogHandler(store: store) }
    }
}
