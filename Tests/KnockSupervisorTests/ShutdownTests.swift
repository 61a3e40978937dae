import KnockSupervisor
import Logging
import ServiceLifecycle
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Shutdown")
struct ShutdownTests {
    /// One process that exits on SIGTERM and one that ignores it (the ignored disposition
    /// survives `exec`, so `sleep` itself ignores SIGTERM). The second says `ready` once it
    /// ignores SIGTERM: before that, it is running but would still die of it.
    func processes(stopTimeout: Duration) -> [SupervisedProcess] {
        [
            SupervisedProcess(id: "polite", executablePath: "/bin/sleep", arguments: ["1000"], stopTimeout: stopTimeout),
            SupervisedProcess(
                id: "stubborn",
                executablePath: "/bin/sh",
                arguments: ["-c", "trap '' TERM; echo ready; exec sleep 1000"],
                stopTimeout: stopTimeout
            ),
        ]
    }

    /// Checks what a stop left behind: every pid gone (reaped, not even a zombie), the polite
    /// process ended by SIGTERM, the stubborn one by SIGKILL, and the stubborn one given its stop
    /// timeout, but no more than a (generous) while after it.
    func expectStopped(
        _ pids: [Int32],
        polite: String,
        stubborn: String,
        in supervisor: ProcessSupervisor,
        after stoppedAfter: Duration,
        stopTimeout: Duration,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for pid in pids {
            #expect(processIsGone(pid), "pid \(pid) is still there", sourceLocation: sourceLocation)
        }
        #expect(supervisor.status(of: polite)?.lastExit == .signalled(signal: SIGTERM), sourceLocation: sourceLocation)
        #expect(supervisor.status(of: stubborn)?.lastExit == .signalled(signal: SIGKILL), sourceLocation: sourceLocation)
        #expect(stoppedAfter >= stopTimeout, sourceLocation: sourceLocation)
        #expect(stoppedAfter < stopTimeout + .seconds(10), sourceLocation: sourceLocation)
    }

    /// The two ways a supervisor is stopped.
    enum StopPath: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// The host's ServiceGroup shuts down gracefully.
        case gracefulShutdown
        /// The task running `run()` is cancelled.
        case cancellation

        var testDescription: String { rawValue }
    }

    /// Runs the supervisor — in a ServiceGroup for a graceful shutdown, alone for cancellation —
    /// until `ready` returns, then stops it by `path`.
    /// - Returns: The time from the stop until `run()` returned.
    @discardableResult
    func runThenStop(
        _ supervisor: ProcessSupervisor,
        by path: StopPath,
        once ready: () async throws -> Void
    ) async throws -> Duration {
        let serviceGroup = ServiceGroup(services: [supervisor], logger: .recording(into: .init()))
        var stoppedAt = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            switch path {
            case .gracefulShutdown:
                group.addTask { try await serviceGroup.run() }
            case .cancellation:
                group.addTask { try await supervisor.run() }
            }
            try await ready()
            stoppedAt = .now
            switch path {
            case .gracefulShutdown:
                await serviceGroup.triggerGracefulShutdown()
            case .cancellation:
                group.cancelAll()
            }
            try await group.waitForAll()
        }
        return ContinuousClock.now - stoppedAt
    }

    @Test("stopping the supervisor stops every child, SIGKILLing one that ignores SIGTERM", arguments: StopPath.allCases)
    func stopsEveryChild(path: StopPath) async throws {
        let stopTimeout = Duration.milliseconds(500)
        let logs = RecordingLogHandler.Store()
        let supervisor = try ProcessSupervisor(processes: processes(stopTimeout: stopTimeout), logger: .recording(into: logs))
        let updates = supervisor.statusUpdates()

        var pids: [Int32] = []
        let stoppedAfter = try await runThenStop(supervisor, by: path) {
            pids = [
                try await waitUntilRunning("polite", in: supervisor),
                try await waitUntilRunning("stubborn", in: supervisor),
            ]
            try await waitForLine("ready", from: "stubborn", in: logs)
        }

        // run() returned only after every child was reaped.
        expectStopped(pids, polite: "polite", stubborn: "stubborn", in: supervisor, after: stoppedAfter, stopTimeout: stopTimeout)
        var states: [String: [ProcessState]] = [:]
        for await update in updates {
            states[update.id, default: []].append(update.state)
        }
        for id in ["polite", "stubborn"] {
            let seen = states[id] ?? []
            #expect(seen.contains { if case .stopping = $0 { return true } else { return false } }, "\(id): \(seen)")
            #expect(seen.last == .stopped)
            // Neither was started again during the shutdown.
            #expect(supervisor.status(of: id)?.restartCount == 0)
        }
    }

    @Test("a child that closed its stdout and stderr is still stopped on shutdown and on request")
    func childWithClosedOutputIsStopped() async throws {
        let stopTimeout = Duration.milliseconds(500)
        let quiet = [
            SupervisedProcess(
                id: "quiet",
                executablePath: "/bin/sh",
                arguments: ["-c", "exec >/dev/null 2>&1; exec sleep 1000"],
                restartPolicy: .init(initialBackoff: .seconds(60), maximumBackoff: .seconds(60)),
                stopTimeout: stopTimeout
            ),
            SupervisedProcess(
                id: "quiet-stubborn",
                executablePath: "/bin/sh",
                arguments: ["-c", "trap '' TERM; echo ready; exec >/dev/null 2>&1; exec sleep 1000"],
                stopTimeout: stopTimeout
            ),
        ]
        let logs = RecordingLogHandler.Store()
        let supervisor = try ProcessSupervisor(processes: quiet, logger: .recording(into: logs))

        var pids: [Int32] = []
        let stoppedAfter = try await runThenStop(supervisor, by: .gracefulShutdown) {
            let first = try await waitUntilRunning("quiet", in: supervisor)
            // Once `sleep` runs, the shell has closed the output; give the supervisor a moment
            // to see the pipes end. (Were it slower, the stop would take the other path, and the
            // test still pass.)
            try await waitForProgram("sleep", pid: first)
            try await Task.sleep(for: .milliseconds(200))
            try supervisor.restart("quiet")
            pids = [
                try await waitUntilRunning("quiet", in: supervisor, otherThan: first),
                try await waitUntilRunning("quiet-stubborn", in: supervisor),
            ]
            try await waitForLine("ready", from: "quiet-stubborn", in: logs)
            try await waitForProgram("sleep", pid: pids[1])
            #expect(processIsGone(first))
            #expect(supervisor.status(of: "quiet")?.lastExit == .signalled(signal: SIGTERM))
            try await Task.sleep(for: .milliseconds(200))
        }

        expectStopped(pids, polite: "quiet", stubborn: "quiet-stubborn", in: supervisor, after: stoppedAfter, stopTimeout: stopTimeout)
    }

    @Test("a child that writes while it stops is not cut short by SIGPIPE", arguments: StopPath.allCases)
    func childFinishesItsOwnShutdown(path: StopPath) async throws {
        let process = SupervisedProcess(
            id: "follow-up",
            executablePath: "/bin/sh",
            arguments: ["-c", "trap 'echo saving; sleep 0.2; echo bye; exit 0' TERM; echo ready; while :; do sleep 0.05; done"],
            stopTimeout: .seconds(10)
        )
        let logs = RecordingLogHandler.Store()
        let supervisor = try ProcessSupervisor(processes: [process], logger: .recording(into: logs))
        try await runThenStop(supervisor, by: path) {
            try await waitForLine("ready", from: "follow-up", in: logs)
        }

        // It ran its own shutdown to the end and exited with status 0, within the stop timeout.
        #expect(supervisor.status(of: "follow-up")?.lastExit == .exited(status: 0))
        if path == .gracefulShutdown {
            // On graceful shutdown what it writes while stopping is logged too.
            let lines = logs.entries(module: "follow-up", stream: "stdout").map(\.message)
            #expect(lines == ["ready", "saving", "bye"])
        }
    }
}
