import Foundation
import KnockSupervisor
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Restarts")
struct RestartTests {
    @Test("a process that exits with status 3 is restarted after growing delays")
    func exitingProcessIsRestartedWithGrowingDelays() async throws {
        let directory = try TemporaryDirectory()
        let starts = directory.path + "/starts"
        let process = SupervisedProcess(
            id: "canteen",
            executablePath: "/bin/sh",
            arguments: ["-c", #"date +%s%N >> "$1"; exit 3"#, "sh", starts],
            restartPolicy: .init(initialBackoff: .milliseconds(100), multiplier: 2, maximumBackoff: .seconds(30), stablePeriod: .seconds(10))
        )
        let logs = RecordingLogHandler.Store()
        let supervisor = try ProcessSupervisor(processes: [process], logger: .recording(into: logs))
        let updates = supervisor.statusUpdates()

        let status = try await whileRunning(supervisor) {
            try await eventually("five starts") { startTimes(in: starts).count >= 5 }
            return try await waitForStatus(of: "canteen", in: supervisor, "restarted four times") { $0.restartCount >= 4 }
        }

        // Each start waits at least its backoff after the previous one: 100, 200, 400, 800 ms.
        // Only lower bounds are checked; a slow machine makes the gaps longer, never shorter.
        let times = startTimes(in: starts)
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        for (gap, backoff) in zip(gaps, [100.0, 200, 400, 800]) {
            #expect(gap >= backoff, "gap \(gap) ms is shorter than the backoff \(backoff) ms")
        }
        #expect(status.lastExit == .exited(status: 3))
        #expect(status.lastExit?.description == "exit status 3")

        // The stream saw the process back off, with the wait growing.
        var backoffs: [Date] = []
        var previousUntil: Date?
        var runningPIDs: [Int32] = []
        for await update in updates where update.id == "canteen" {
            if case .running(let pid, _) = update.state {
                runningPIDs.append(pid)
            }
            if case .backingOff(let until) = update.state {
                backoffs.append(until)
                if let previousUntil {
                    #expect(until > previousUntil)
                }
                previousUntil = until
            }
        }
        #expect(backoffs.count >= 4)
        // Each start shows as running once: an exit is never reported on a `running` status.
        #expect(Set(runningPIDs).count == runningPIDs.count)
        // The stream ended when run() returned, with the process stopped.
        #expect(supervisor.status(of: "canteen")?.state == .stopped)

        // Each exit was logged with its reason.
        let exits = logs.entries(module: "canteen").filter { $0.message.contains("exited with exit status 3") }
        #expect(exits.count >= 4)
        #expect(exits.first?.level == .warning)
    }

    @Test("a process killed with SIGKILL from outside is restarted")
    func killedProcessIsRestarted() async throws {
        let process = SupervisedProcess(id: "mediation", executablePath: "/bin/sleep", arguments: ["1000"], restartPolicy: quickPolicy())
        let supervisor = try ProcessSupervisor(processes: [process], logger: .recording(into: .init()))

        try await whileRunning(supervisor) {
            let first = try await waitUntilRunning("mediation", in: supervisor)
            #expect(kill(first, SIGKILL) == 0)
            let second = try await waitUntilRunning("mediation", in: supervisor, otherThan: first)
            let status = try #require(supervisor.status(of: "mediation"))
            #expect(status.restartCount == 1)
            #expect(status.lastExit == .signalled(signal: SIGKILL))
            #expect(status.lastExit?.description == "signal 9 (SIGKILL)")
            #expect(processIsGone(first))
            #expect(kill(second, 0) == 0)
        }
    }

    @Test("a restart request stops a running process and starts it again at once")
    func requestedRestart() async throws {
        let process = SupervisedProcess(
            id: "after-school",
            executablePath: "/bin/sleep",
            arguments: ["1000"],
            // A backoff far longer than the test: a requested restart must not wait for it.
            restartPolicy: .init(initialBackoff: .seconds(60), maximumBackoff: .seconds(60)),
            stopTimeout: .seconds(5)
        )
        let supervisor = try ProcessSupervisor(processes: [process], logger: .recording(into: .init()))
        #expect(throws: SupervisorError.self) { try supervisor.restart("after-school") }

        try await whileRunning(supervisor) {
            let first = try await waitUntilRunning("after-school", in: supervisor)
            try supervisor.restart("after-school")
            _ = try await waitUntilRunning("after-school", in: supervisor, otherThan: first)
            let status = try #require(supervisor.status(of: "after-school"))
            #expect(status.restartCount == 1)
            #expect(status.lastExit == .signalled(signal: SIGTERM))
            #expect(processIsGone(first))

            let unknown = #expect(throws: SupervisorError.self) { try supervisor.restart("no-such-module") }
            #expect(unknown?.code == .unknownProcess)
        }
    }

    @Test("after the allowed restarts in a row the process is failed, until a restart request")
    func restartLimit() async throws {
        let process = SupervisedProcess(
            id: "employment",
            executablePath: "/bin/sh",
            arguments: ["-c", "exit 1"],
            restartPolicy: .init(initialBackoff: .milliseconds(10), maximumBackoff: .milliseconds(40), maximumConsecutiveRestarts: 2)
        )
        let supervisor = try ProcessSupervisor(processes: [process], logger: .recording(into: .init()))

        try await whileRunning(supervisor) {
            let failed = try await waitForStatus(of: "employment", in: supervisor, "failed") {
                if case .failed = $0.state { return true }
                return false
            }
            #expect(failed.restartCount == 2)
            #expect(failed.lastExit == .exited(status: 1))
            guard case .failed(let error) = failed.state else {
                return
            }
            #expect(error.code == .restartLimitReached)
            #expect(error.message.contains("exit status 1"))

            try supervisor.restart("employment")
            try await waitForStatus(of: "employment", in: supervisor, "failed again after two more restarts") { status in
                if case .failed = status.state, status.restartCount == 5 { return true }
                return false
            }
        }
    }
}

/// The start times, in milliseconds, that the test script appended to `file`.
private func startTimes(in file: String) -> [Double] {
    let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap { Double($0).map { $0 / 1_000_000 } }
}
