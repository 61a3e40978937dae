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
        /// The level at which lines a process writes (to stdout and stderr alike) are logged.
        public var outputLogLevel: Logger.Level

        /// Creates a configuration.
        /// - Parameters:
        ///   - orphanProtection: How children are kept from outliving the host.
        ///   - maximumLineLength: The most bytes of one output line that are logged; at least 1.
        ///   - outputLogLevel: The level of the lines processes write.
        public init(
            orphanProtection: OrphanProtection = .parentDeathSignal,
            maximumLineLength: Int = 16 * 1024,
            outputLogLevel: Logger.Level = .info
        ) {
            self.orphanProtection = orphanProtection
            self.maximumLineLength = maximumLineLength
            self.outputLogLevel = outputLogLevel
        }
    }
}
