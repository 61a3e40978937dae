import Logging
import Subprocess
import SystemPackage

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ProcessSupervisor {
    /// How one start of a process ended.
    struct RunOutcome: Sendable {
        /// How the process ended, or `nil` when it could not be created.
        var exit: ExitReason?
        /// Why it could not be created.
        var error: SupervisorError?
        /// How long it was up.
        var uptime: Duration
    }

    /// Keeps one process running until the supervisor stops: the whole life of one module.
    func supervise(_ process: SupervisedProcess) async {
        guard let control = controls[process.id] else {
            preconditionFailure("no control for '\(process.id)'")
        }
        var logger = self.logger
        logger[metadataKey: "module"] = "\(process.id)"
        let id = process.id
        let table = self.table

        await withTaskCancellationHandler {
            await superviseUntilStopped(process, control: control, logger: logger)
        } onCancel: {
            // Cancellation stops the child through swift-subprocess's teardown (SIGTERM, then
            // SIGKILL after the stop timeout); say so in the status meanwhile.
            table.update(id) { status in
                if case .running(let pid, _) = status.state {
                    status.state = .stopping(pid: pid)
                }
            }
        }
        table.update(id) { $0.state = .stopped }
        logger.info("stopped")
    }

    private func superviseUntilStopped(_ process: SupervisedProcess, control: ProcessControl, logger: Logger) async {
        let id = process.id
        var schedule = BackoffSchedule(policy: process.restartPolicy)
        var hasStarted = false

        while !Task.isCancelled, !control.flags.stopRequested {
            control.update { $0.restartRequested = false }

            let plan: LaunchPlan
            switch LaunchPlan.make(for: process, protection: configuration.orphanProtection) {
            case .success(let made):
                plan = made
            case .failure(let error):
                table.update(id) {
                    $0.state = .failed(error)
                    $0.lastError = error
                }
                logger.error("cannot start: \(error.message); waiting for a restart request", metadata: ["error.code": "\(error.code)"])
                // No retry loop: only an explicit restart (or shutdown) moves it on.
                guard await control.wait(until: { $0.interruptRequested }) else {
                    return
                }
                schedule.reset()
                continue
            }

            table.update(id) {
                $0.state = .starting
                if hasStarted {
                    $0.restartCount += 1
                }
            }
            hasStarted = true

            let outcome = await runOnce(process, plan: plan, control: control, logger: logger)
            // The exit and the state that follows it are recorded in one change, so that no
            // observer sees an exited process still `running`.
            func recordExit(then state: ProcessState, error: SupervisorError? = nil) {
                table.update(id) {
                    $0.state = state
                    if let exit = outcome.exit {
                        $0.lastExit = exit
                    }
                    if let error = error ?? outcome.error {
                        $0.lastError = error
                    }
                }
            }

            let flags = control.flags
            if Task.isCancelled || flags.stopRequested {
                recordExit(then: .stopped)
                if let exit = outcome.exit {
                    logger.info("exited with \(exit) on shutdown", metadata: ["exit": "\(exit)"])
                }
                return
            }
            if flags.restartRequested {
                recordExit(then: .starting)
                logger.info("restarting on request; it exited with \(outcome.exit.map { "\($0)" } ?? "no status")")
                schedule.reset()
                continue
            }

            let what: String
            if let exit = outcome.exit {
                what = "exited with \(exit) after \(outcome.uptime.roundedForLog)"
            } else {
                what = "could not be started: \(outcome.error?.description ?? "unknown error")"
            }
            switch schedule.processExited(afterRunningFor: outcome.uptime) {
            case .restart(let delay):
                let deadline = ContinuousClock.now.advanced(by: delay)
                recordExit(then: .backingOff(until: Date().addingTimeInterval(delay.timeInterval)))
                logger.warning(
                    "\(what); restarting in \(delay.roundedForLog)",
                    metadata: outcome.exit.map { ["exit": "\($0)"] } ?? [:]
                )
                _ = await control.wait(until: { $0.interruptRequested }, deadline: deadline)
            case .giveUp(let restarts):
                let error = SupervisorError(
                    code: .restartLimitReached,
                    message: "'\(id)' was restarted \(restarts) time\(restarts == 1 ? "" : "s") in a row without staying up for \(process.restartPolicy.stablePeriod.roundedForLog); it last \(what)"
                )
                recordExit(then: .failed(error), error: error)
                logger.error("\(what); giving up after \(restarts) restarts in a row; waiting for a restart request")
                guard await control.wait(until: { $0.interruptRequested }) else {
                    return
                }
                schedule.reset()
            }
        }
    }

    /// Starts the process once and returns when it has exited and been reaped.
    private func runOnce(
        _ process: SupervisedProcess,
        plan: LaunchPlan,
        control: ProcessControl,
        logger: Logger
    ) async -> RunOutcome {
        enum Event: Sendable {
            case ended(Result<TerminationStatus, SupervisorError>, uptime: Duration)
            case teardownNeeded
            case idle
        }

        control.update {
            $0.outputFinished = false
            $0.isStopping = false
        }
        var options = PlatformOptions()
        // Its own process group: a Ctrl-C at the host's terminal reaches the host, which stops
        // the children in order, rather than every child at once.
        options.processGroupID = 0
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: process.stopTimeout)]
        let environment: Environment
        if let inherited = process.inheritedEnvironment.selectedVariables() {
            var variables: [Environment.Key: String] = [:]
            for (name, value) in inherited.merging(process.environment, uniquingKeysWith: { $1 }) {
                if let key = Environment.Key(rawValue: name) {
                    variables[key] = value
                }
            }
            environment = .custom(variables)
        } else {
            var additions: [Environment.Key: String?] = [:]
            for (name, value) in process.environment {
                if let key = Environment.Key(rawValue: name) {
                    additions[key] = value
                }
            }
            environment = .inherit.updating(additions)
        }
        let subprocessConfiguration = Subprocess.Configuration(
            executable: .path(FilePath(plan.executable)),
            arguments: Arguments(plan.arguments),
            environment: environment,
            workingDirectory: process.workingDirectory.map { FilePath($0) },
            platformOptions: options
        )

        return await withTaskGroup(of: Event.self) { group in
            group.addTask {
                let clock = ContinuousClock()
                let started = StartTime()
                do {
                    let result = try await Subprocess.run(
                        subprocessConfiguration,
                        input: .none,
                        output: .sequence,
                        error: .sequence
                    ) { execution in
                        started.mark(clock.now)
                        await self.attend(execution, process: process, control: control, logger: logger)
                    }
                    let uptime = started.instant.map { clock.now - $0 } ?? .zero
                    return .ended(.success(result.terminationStatus), uptime: uptime)
                } catch {
                    let failure = SupervisorError(
                        code: .spawnFailed,
                        message: "could not start '\(process.id)' (\(plan.moduleExecutable))",
                        cause: error
                    )
                    let uptime = started.instant.map { clock.now - $0 } ?? .zero
                    return .ended(.failure(failure), uptime: uptime)
                }
            }
            group.addTask {
                // The process closed its stdout and stderr but may still run, and the body that
                // would stop it has returned: cancelling the run makes swift-subprocess tear it
                // down (SIGTERM, then SIGKILL after the stop timeout).
                let needed = await control.wait(until: { $0.interruptRequested && $0.outputFinished })
                return needed && control.claimStop() ? .teardownNeeded : .idle
            }

            var outcome = RunOutcome(exit: nil, error: nil, uptime: .zero)
            while let event = await group.next() {
                switch event {
                case .ended(let result, let uptime):
                    outcome.uptime = uptime
                    switch result {
                    case .success(.exited(let status)):
                        outcome.exit = .exited(status: status)
                    case .success(.signaled(let signal)):
                        outcome.exit = .signalled(signal: signal)
                    case .failure(let error):
                        outcome.error = error
                    }
                    group.cancelAll()
                case .teardownNeeded:
                    table.update(process.id) { status in
                        if case .running(let pid, _) = status.state {
                            status.state = .stopping(pid: pid)
                        }
                    }
                    logger.info("stopping (its output is closed): SIGTERM, and SIGKILL after \(process.stopTimeout.roundedForLog)")
                    group.cancelAll()
                case .idle:
                    break
                }
            }
            return outcome
        }
    }

    /// Looks after one running process: reports it running, logs its output, and stops it when
    /// a restart or a shutdown is asked for. Returns when its output has ended.
    private func attend(
        _ execution: Execution<NoInput, SequenceOutput, SequenceOutput>,
        process: SupervisedProcess,
        control: ProcessControl,
        logger: Logger
    ) async {
        enum Finished: Sendable {
            case pump
            case watcher
        }

        let pid = execution.processIdentifier.value
        let logger = {
            var logger = logger
            logger[metadataKey: "pid"] = "\(pid)"
            return logger
        }()
        table.update(process.id) { $0.state = .running(pid: pid, since: Date()) }
        logger.info("started", metadata: ["executable": "\(process.executablePath)"])

        let table = self.table
        let output = OutputLogging(
            level: configuration.outputLogLevel,
            maximumLineLength: configuration.maximumLineLength,
            maximumLinesPerSecond: configuration.maximumOutputLinesPerSecond
        )
        await withTaskGroup(of: Finished.self) { group in
            group.addTask {
                var streamLogger = logger
                streamLogger[metadataKey: "stream"] = "stdout"
                await Self.pump(execution.standardOutput, into: streamLogger, output, control: control)
                return .pump
            }
            group.addTask {
                var streamLogger = logger
                streamLogger[metadataKey: "stream"] = "stderr"
                await Self.pump(execution.standardError, into: streamLogger, output, control: control)
                return .pump
            }
            group.addTask {
                let woken = await control.wait(until: { $0.interruptRequested || $0.outputFinished })
                if woken {
                    // The output ended first: from here on the task in `runOnce` stops the process.
                    guard !control.flags.outputFinished, control.claimStop() else {
                        return .watcher
                    }
                    table.update(process.id) { $0.state = .stopping(pid: pid) }
                    logger.info("stopping: SIGTERM, and SIGKILL after \(process.stopTimeout.roundedForLog)")
                    await execution.teardown(using: [.gracefulShutDown(allowedDurationToNextStep: process.stopTimeout)])
                } else {
                    // The supervisor is cancelled, and swift-subprocess is sending the process
                    // SIGTERM (then SIGKILL after the stop timeout). The pumps end at once, but
                    // this body, and with it the read ends of the pipes, stays until the process
                    // has exited, so that a process writing while it stops is not killed by
                    // SIGPIPE first. Signal 0 checks only that the process exists: this step waits
                    // for the exit, with a SIGKILL after it only as a backstop.
                    await execution.teardown(
                        using: [.send(signal: Signal(rawValue: 0), allowedDurationToNextStep: process.stopTimeout + .seconds(1))]
                    )
                }
                return .watcher
            }
            var pumpsRunning = 2
            for await finished in group {
                if case .pump = finished {
                    pumpsRunning -= 1
                    if pumpsRunning == 0 {
                        // Wakes an idle watcher; one that is stopping the process finishes that.
                        control.update { $0.outputFinished = true }
                    }
                }
            }
        }
    }

    /// How a process's output is logged.
    struct OutputLogging: Sendable {
        var level: Logger.Level
        var maximumLineLength: Int
        var maximumLinesPerSecond: Int?
    }

    /// Logs a stream line by line until it ends, holding at most one line in memory and keeping
    /// to the line rate.
    private static func pump(
        _ stream: SubprocessOutputSequence,
        into logger: Logger,
        _ output: OutputLogging,
        control: ProcessControl
    ) async {
        var splitter = OutputLineSplitter(maximumLineLength: output.maximumLineLength)
        var pacer = output.maximumLinesPerSecond.map { OutputPacer(linesPerSecond: $0, now: .now) }
        var linesInBuffer = 0
        let emit = { (line: OutputLineSplitter.Line) in
            linesInBuffer += 1
            if line.isTruncated {
                logger.log(level: output.level, "\(line.text)", metadata: ["truncated": "true"])
            } else {
                logger.log(level: output.level, "\(line.text)")
            }
        }
        do {
            for try await buffer in stream {
                linesInBuffer = 0
                buffer.withUnsafeBytes { bytes in
                    splitter.append(bytes, emit: emit)
                }
                let pause = pacer?.pause(afterLogging: linesInBuffer, at: .now) ?? .zero
                if pause > .zero {
                    // Cut short by a stop or restart request, or the supervisor's cancellation:
                    // then the rest is drained without pauses.
                    _ = await control.wait(until: { $0.interruptRequested }, deadline: .now.advanced(by: pause))
                } else {
                    // A read returns without suspending while the pipe has data, so a process
                    // that writes without pause would otherwise keep this task on its thread for
                    // good, and with it whatever else waits for that thread (the stop of this very
                    // process, among others).
                    await Task.yield()
                }
            }
        } catch {
            // The read was cut short: the process exited leaving the pipe to a grandchild, or
            // the supervisor is being cancelled. What was read is still logged below.
            logger.debug("output stream ended early: \(error)")
        }
        splitter.finish(emit: emit)
    }
}
