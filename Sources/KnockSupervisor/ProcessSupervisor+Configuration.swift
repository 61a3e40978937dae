import Logging

extension ProcessSupervisor {
    /// Settings that apply to every process one supervisor runs.
    public struct Configuration: Sendable {
        /// How children are kept from outliving the host; see ``OrphanProtection``. By default
        /// they get `SIGKILL` when the host dies.
        public var orphanProtection: OrphanProtection
        /// The most bytes of one output line that reach the log; the rest of a longer line is
        /// dropped and the logged part carries the metadata `truncated=true`. This also bounds
        /// the memory a process's output can take in the host, whatever it writes: output is
        /// read only as fast as the log takes it, and a process that writes faster waits on its
        /// pipe.
        public var maximumLineLength: Int
        /// The most lines per second logged from one stream (stdout or stderr) of one process,
        /// or `nil` for no limit. A process that writes faster is slowed down — its writes wait
        /// on the pipe while the supervisor holds off reading — so no line is lost and a chatty
        /// module costs the host no more than this much logging. Up to one second's worth passes
        /// at once.
        public var maximumOutputLinesPerSecond: Int?
        /// The level at which lines a process writes (to stdout and stderr alike) are logged.
        public var outputLogLevel: Logger.Level

        /// Creates a configuration.
        /// - Parameters:
        ///   - orphanProtection: How children are kept from outliving the host.
        ///   - maximumLineLength: The most bytes of one output line that are logged; at least 1.
        ///   - maximumOutputLinesPerSecond: The most lines per second logged from one stream of
        ///     one process; at least 1, or `nil` for no limit. 1000 by default.
        ///   - outputLogLevel: The level of the lines processes write.
        public init(
            orphanProtection: OrphanProtection = .parentDeathSignal,
            maximumLineLength: Int = 16 * 1024,
            maximumOutputLinesPerSecond: Int? = 1000,
            outputLogLevel: Logger.Level = .info
        ) {
            self.orphanProtection = orphanProtection
            self.maximumLineLength = maximumLineLength
            self.maximumOutputLinesPerSecond = maximumOutputLinesPerSecond
            self.outputLogLevel = outputLogLevel
        }
    }
}
