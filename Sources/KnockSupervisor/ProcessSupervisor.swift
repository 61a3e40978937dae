import Logging
import ServiceLifecycle

/// Runs a set of executables as child processes and keeps them running: starts them, logs
/// what they write, restarts them with exponential backoff when they exit, stops them on
/// shutdown, and sees to it that none outlives the host.
///
/// It is a swift-service-lifecycle `Service`: put it in the host's `ServiceGroup`, or call
/// ``run()`` from a task of your own.
///
/// ```swift
/// let supervisor = try ProcessSupervisor(
///     processes: [SupervisedProcess(id: "canteen", executablePath: "/opt/knock/modules/canteen")],
///     logger: logger
/// )
/// let group = ServiceGroup(services: [supervisor, server], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
///
/// - Each process is started as soon as ``run()`` begins, and again after every exit, after its
///   ``SupervisedProcess/RestartPolicy``'s backoff. Every exit is logged with its reason (exit
///   status or signal) and recorded in ``status(of:)``.
/// - Every line a process writes to stdout or stderr is logged to the `Logger` given at `init`,
///   with the metadata `module=<id>`, `stream=stdout|stderr` and `pid`; see
///   ``Configuration/maximumLineLength`` and ``Configuration/maximumOutputLinesPerSecond`` for
///   long lines and floods.
/// - On graceful shutdown, or when the task running ``run()`` is cancelled, every process gets
///   `SIGTERM`, and `SIGKILL` if it is still running after its
///   ``SupervisedProcess/stopTimeout``. ``run()`` returns once every process has exited and been
///   reaped. On graceful shutdown what a process writes while it stops is still logged; on
///   cancellation it may not be (the process is not harmed: its pipes stay open until it exits).
/// - ``restart(_:)`` starts one process afresh at once; ``status(of:)``, ``statuses()`` and
///   ``statusUpdates()`` tell the host where every process is.
/// - If the host dies, even by `SIGKILL`, the children get a parent-death signal; see
///   ``OrphanProtection``.
///
/// All work happens in child tasks of ``run()``; the query methods can be called from anywhere.
public final class ProcessSupervisor: Service, Sendable {
    /// The processes this supervisor runs, in the order given.
    public let processes: [SupervisedProcess]
    /// The settings shared by every process.
    public let configuration: Configuration

    let logger: Logger
    let table: ProcessTable
    let controls: [String: ProcessControl]

    /// Creates a supervisor; nothing is started until ``run()``.
    /// - Parameters:
    ///   - processes: The processes to run; ids must be unique and not empty.
    ///   - configuration: Settings shared by every process.
    ///   - logger: Where the supervisor's own messages and the processes' output go. Bootstrap
    ///     the logging system in the executable, not here.
    /// - Throws: ``SupervisorError`` with ``SupervisorError/Code/invalidConfiguration`` naming the
    ///   first problem: an empty or repeated id, a restart policy that cannot work, a negative
    ///   stop timeout, an environment variable name that is empty or holds `=`, a maximum line
    ///   length or line rate below 1, or a parent-death signal without a name (see
    ///   ``ExitReason``).
    public init(
        processes: [SupervisedProcess],
        configuration: Configuration = Configuration(),
        logger: Logger
    ) throws(SupervisorError) {
        if let problem = Self.problem(in: processes, configuration: configuration) {
            throw SupervisorError(code: .invalidConfiguration, message: problem)
        }
        self.processes = processes
        self.configuration = configuration
        self.logger = logger
        self.table = ProcessTable(ids: processes.map(\.id))
        var controls: [String: ProcessControl] = [:]
        for process in processes {
            controls[process.id] = ProcessControl()
        }
        self.controls = controls
    }

    /// Supervises every process until graceful shutdown or cancellation, then stops them all.
    ///
    /// Returns only after every process has exited and been reaped. A supervisor runs once.
    /// - Throws: ``SupervisorError`` with ``SupervisorError/Code/alreadyStarted`` when called a
    ///   second time. Problems with single processes are never thrown: they show in
    ///   ``status(of:)`` and in the log.
    public func run() async throws {
        try table.begin()
        defer { table.finish() }
        logger.info(
            "supervising \(processes.count) process\(processes.count == 1 ? "" : "es")",
            metadata: ["modules": .array(processes.map { .string($0.id) })]
        )
        if case .disabled = configuration.orphanProtection.mode {
            logger.notice("orphan protection is disabled: children keep running if this process is killed")
        }
        let controls = self.controls
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for process in processes {
                    group.addTask {
                        await self.supervise(process)
                    }
                }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            for control in controls.values {
                control.update { $0.stopRequested = true }
            }
        }
        logger.info("every supervised process has stopped")
    }

    /// The status of one process, or `nil` if no process has that id.
    /// - Parameter id: The process's ``SupervisedProcess/id``.
    public func status(of id: String) -> ProcessStatus? {
        table.status(of: id)
    }

    /// The status of every process, in the order they were given.
    public func statuses() -> [ProcessStatus] {
        table.all()
    }

    /// Asks for one process to be started afresh now.
    ///
    /// A running process is stopped as on shutdown (`SIGTERM`, then `SIGKILL` after its stop
    /// timeout) and started again at once; one that is backing off is started without waiting
    /// out the backoff; one that has ``ProcessState/failed(_:)`` is tried again, its paths
    /// checked anew. The backoff and the count of consecutive restarts start over. The call
    /// returns at once; follow ``status(of:)`` or ``statusUpdates()`` for the outcome.
    /// - Parameter id: The process's ``SupervisedProcess/id``.
    /// - Throws: ``SupervisorError`` with ``SupervisorError/Code/unknownProcess`` when no process
    ///   has that id, ``SupervisorError/Code/notRunning`` when ``run()`` is not running.
    public func restart(_ id: String) throws(SupervisorError) {
        guard let control = controls[id] else {
            throw SupervisorError(code: .unknownProcess, message: "no supervised process is called '\(id)'")
        }
        guard table.phase == .running else {
            throw SupervisorError(code: .notRunning, message: "cannot restart '\(id)': the supervisor is not running")
        }
        control.update { $0.restartRequested = true }
    }

    /// A stream of status changes: first the current status of every process, then each change
    /// as it happens, until ``run()`` returns (at once if it already has).
    ///
    /// A subscriber that falls more than 1024 changes behind loses the oldest ones; the
    /// latest status of each process stays available from ``status(of:)``.
    public func statusUpdates() -> AsyncStream<ProcessStatus> {
        table.subscribe()
    }

    private static func problem(in processes: [SupervisedProcess], configuration: Configuration) -> String? {
        if configuration.maximumLineLength < 1 {
            return "maximumLineLength must be at least 1"
        }
        if let rate = configuration.maximumOutputLinesPerSecond, rate < 1 {
            return "maximumOutputLinesPerSecond must be at least 1"
        }
        if case .parentDeathSignal(let signal, _) = configuration.orphanProtection.mode, ExitReason.signalName(signal) == nil {
            return "the parent-death signal \(signal) is not one of the signals setpriv can be given by name"
        }
        var seen = Set<String>()
        for process in processes {
            if process.id.isEmpty {
                return "a supervised process has an empty id"
            }
            if !seen.insert(process.id).inserted {
                return "two supervised processes are called '\(process.id)'"
            }
            if let problem = process.restartPolicy.problem {
                return "restart policy of '\(process.id)': \(problem)"
            }
            if process.stopTimeout < .zero {
                return "stop timeout of '\(process.id)' must not be negative"
            }
            for name in process.environment.keys where name.isEmpty || name.contains("=") || name.utf8.contains(0) {
                return "environment of '\(process.id)' has an invalid variable name '\(name)'"
            }
        }
        return nil
    }
}
