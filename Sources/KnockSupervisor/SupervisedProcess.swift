/// One executable the supervisor keeps running: what to start, with what, and how to restart
/// and stop it.
///
/// The host makes one of these per out-of-process method module. Everything a module needs to
/// dial back in goes through ``environment``, for example (the names are the host's and
/// `KnockModuleKit`'s to fix, these are only an illustration):
///
/// ```swift
/// SupervisedProcess(
///     id: "canteen",
///     executablePath: "/opt/knock/modules/canteen",
///     environment: [
///         "KNOCK_HOST_ADDRESS": "127.0.0.1:7443",
///         "KNOCK_MODULE_CERTIFICATE": "/var/lib/knock/modules/canteen/cert.pem",
///         "KNOCK_MODULE_PRIVATE_KEY": "/var/lib/knock/modules/canteen/key.pem",
///         "KNOCK_TRUST_ROOTS": "/var/lib/knock/ca.pem",
///     ]
/// )
/// ```
///
/// Pass paths to files, never key material itself: a process's environment is readable by the
/// same user through `/proc/<pid>/environ` and is often printed in crash reports.
public struct SupervisedProcess: Sendable, Hashable {
    /// The name the host knows the process by, e.g. `canteen`. It is the `module` metadata of
    /// every log line about or from the process, and the key of the query API. Unique within
    /// one supervisor, not empty.
    public var id: String
    /// The program to run. An absolute path is best; a path with a `/` that is relative is taken
    /// from ``workingDirectory`` (or the host's current directory when that is `nil`); a bare
    /// name is looked up on the host's `PATH`. It is checked before every start: a missing or
    /// non-executable file puts the process in ``ProcessState/failed(_:)`` with an error that
    /// names the path.
    public var executablePath: String
    /// The arguments after the program's name (`argv[1...]`).
    public var arguments: [String]
    /// Variables added to (or replacing those of) the environment the process inherits from
    /// the host.
    public var environment: [String: String]
    /// Which of the host's own environment variables the process inherits, before
    /// ``environment`` is added. All of them by default; a host that keeps secrets in its
    /// environment (a database password, say) should pass only what modules need, e.g.
    /// `.only(["PATH", "HOME", "LANG", "TZ"])`.
    public var inheritedEnvironment: EnvironmentInheritance
    /// The directory the process starts in, or `nil` for the host's current directory.
    public var workingDirectory: String?
    /// How soon, and how often, the process is started again after it exits.
    public var restartPolicy: RestartPolicy
    /// How long the process has, after `SIGTERM`, to exit before it gets `SIGKILL` (on shutdown
    /// and on a requested restart).
    public var stopTimeout: Duration

    /// Creates a process configuration.
    /// - Parameters:
    ///   - id: The name the host knows the process by, e.g. `canteen`.
    ///   - executablePath: The program to run.
    ///   - arguments: The arguments after the program's name.
    ///   - environment: Variables added to the inherited environment.
    ///   - inheritedEnvironment: Which of the host's variables are inherited; all by default.
    ///   - workingDirectory: The directory to start in, or `nil` for the host's.
    ///   - restartPolicy: How soon and how often to restart; by default 100 ms doubling up to
    ///     30 s, reset after 10 s up, never giving up.
    ///   - stopTimeout: How long after `SIGTERM` before `SIGKILL`; 10 s by default.
    public init(
        id: String,
        executablePath: String,
        arguments: [String] = [],
        environment: [String: String] = [:],
        inheritedEnvironment: EnvironmentInheritance = .all,
        workingDirectory: String? = nil,
        restartPolicy: RestartPolicy = RestartPolicy(),
        stopTimeout: Duration = .seconds(10)
    ) {
        self.id = id
        self.executablePath = executablePath
        self.arguments = arguments
        self.environment = environment
        self.inheritedEnvironment = inheritedEnvironment
        self.workingDirectory = workingDirectory
        self.restartPolicy = restartPolicy
        self.stopTimeout = stopTimeout
    }
}
