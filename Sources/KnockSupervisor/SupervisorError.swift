/// Why the supervisor refused a request, could not start a process, or gave up on one.
///
/// Errors carry a ``Code`` to switch on, a message written for the operator (it names the
/// module and the path or limit involved), and, where one exists, the underlying cause.
public struct SupervisorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as a value to switch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case invalidConfiguration
            case executableNotFound
            case executableNotRunnable
            case workingDirectoryNotFound
            case orphanProtectionUnavailable
            case spawnFailed
            case restartLimitReached
            case unknownProcess
            case notRunning
            case alreadyStarted
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// A process configuration is unusable: an empty or duplicate id, a bad restart policy,
        /// an environment name with `=` in it, a negative stop timeout.
        public static let invalidConfiguration = Self(.invalidConfiguration)
        /// The executable path does not exist, or a bare name was not found on `PATH`.
        public static let executableNotFound = Self(.executableNotFound)
        /// The executable exists but cannot be run: it is a directory or lacks execute permission.
        public static let executableNotRunnable = Self(.executableNotRunnable)
        /// The configured working directory does not exist or is not a directory.
        public static let workingDirectoryNotFound = Self(.workingDirectoryNotFound)
        /// Orphan protection was asked for but cannot be had: not Linux, or no `setpriv`.
        public static let orphanProtectionUnavailable = Self(.orphanProtectionUnavailable)
        /// The operating system refused to create the process (too many processes, no memory).
        public static let spawnFailed = Self(.spawnFailed)
        /// The process exited more times in a row than its restart policy allows.
        public static let restartLimitReached = Self(.restartLimitReached)
        /// No process with the given id is supervised.
        public static let unknownProcess = Self(.unknownProcess)
        /// The request needs a running supervisor, and `run()` is not running.
        public static let notRunning = Self(.notRunning)
        /// `run()` was called a second time; a supervisor runs once.
        public static let alreadyStarted = Self(.alreadyStarted)

        /// The code's name, e.g. `executableNotFound`.
        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A sentence for the operator, naming the module and the path or limit involved.
    public var message: String
    /// The underlying error, where there is one (for example the spawn failure).
    public var cause: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A sentence for the operator.
    ///   - cause: The underlying error, if any.
    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `code: message`, and the cause when there is one.
    public var description: String {
        if let cause {
            return "\(code): \(message) (\(cause))"
        }
        return "\(code): \(message)"
    }

    /// Two errors are equal when their codes and messages are; the cause is not compared.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    /// Hashes the code and the message.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }
}
