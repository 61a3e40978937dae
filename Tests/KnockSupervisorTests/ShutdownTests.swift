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

    @Test("cancelling run() stops every child, SIGKILLing one that ignores SIGTERM")
    func cancellationStopsEveryChild() async throws {
        let stopTimeout = Duration.milliseconds(500)
        let logs = RecordingLogHandler.Store()
        let supervisor = try ProcessSupervisor(processes: processes(stopTimeout: stopTimeout), logger: .recording(into: logs))

        var pids: [Int32] = []
        var cancelledAt = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            pids = [
                try await waitUntilRunning("polite", in: supervisor),
                try await waitUntilRunning("stubborn", in: supervisor),
            ]
            try await waitForLine("ready", from: "stubborn", in: logs)
            cancelledAt = .now
            group.cancelAll()
            try await group.waitForAll()
        }
        let stoppedAfter = ContinuousClock.now - cancelledAt

        // run() returned only after every child was reaped: no pid is left, not even a zombie.
        for pid in pids {
            #expect(processIsGone(pid), "pid \(pid) is still there")
        }
        #expect(supervisor.status(of: "polite")?.lastExit == .signalled(signal: SIGTERM))
        #expect(supervisor.status(of: "stubborn")?.lastExit == .signalled(signal: SIGKILL))
        #expect(supervisor.statuses().allSatisfy { $0.state == .stopped })
        // The stubborn child was given its stop timeout before SIGKILL, and no more than a
        // (generous) while after it.
        #expect(stoppedAfter >= stopTimeout)
        #expect(stoppedAfter < stopTimeout + .seconds(10))
    }

    @Test("graceful shutdown of a ServiceGroup stops every child through the stopping state")
    func gracefulShutdownStopsEveryChild() async throws {
        let stopTimeout = Duration.milliseconds(500)
        let logs = RecordingLogHandler.Store()
        let supervisor = try ProcessSupervisor(processes: processes(stopTimeout: stopTimeout), logger: .recording(into: logs))
        let serviceGroup = ServiceGroup(services: [supervisor], logger: .recording(into: logs))
        let updates = supervisor.statusUpdates()

        var pids: [Int32] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await serviceGroup.run() }
            pids = [
                try await waitUntilRunning("polite", in: supervisor),
                try await waitUntilRunning("stubborn", in: supervisor),
            ]
            try await waitForLine("ready", from: "stubborn", in: logs)
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
        }

        for pid in pids {
            #expect(processIsGone(pid), "pid \(pid) is still there")
        }
        #expect(supervisor.status(of: "polite")?.lastExit == .signalled(signal: SIGTERM))
        #expect(supervisor.status(of: "stubborn")?.lastExit == .signalled(signal: SIGKILL))

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
        let serviceGroup = ServiceGroup(services: [supervisor], logger: .recording(into: .init()))

        var pids: [Int32] = []
        var shutdownAt = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await serviceGroup.run() }
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
            shutdownAt = .now
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
        }
        let stoppedAfter = ContinuousClock.now - shutdownAt

        for pid in pids {
            #expect(processIsGone(pid), "pid \(pid) is still there")
        }
        #expect(supervisor.status(of: "quiet")?.lastExit == .signalled(signal: SIGTERM))
        #expect(supervisor.status(of: "quiet-stubborn")?.lastExit == .signalled(signal: SIGKILL))
        #expect(stoppedAfter >= stopTimeout)
        #expect(stoppedAfter < stopTimeout + .seconds(10))
    }

    enum StopPath: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case gracefulShutdown
        case cancellation

        var testDescription: String { rawValue }
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
        let serviceGroup = ServiceGroup(services: [supervisor], logger: .recording(into: .init()))

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await serviceGroup.run() }
            try await waitForLine("ready", from: "follow-up", in: logs)
            switch path {
            case .gracefulShutdown:
                await serviceGroup.triggerGracefulShutdown()
            case .cancellation:
                group.cancelAll()
            }
            try await group.waitForAll()
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
