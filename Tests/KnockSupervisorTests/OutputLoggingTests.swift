import Foundation
import KnockSupervisor
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Output logging")
struct OutputLoggingTests {
    @Test("stdout and stderr lines reach the logger with module and stream metadata")
    func linesCarryMetadata() async throws {
        let process = SupervisedProcess(
            id: "canteen",
            executablePath: "/bin/sh",
            arguments: ["-c", "echo 'menu of the day'; echo 'no rice left' >&2; printf 'no newline at the end'; exec sleep 1000"],
            restartPolicy: quickPolicy()
        )
        let logs = RecordingLogHandler.Store()
        let supervisor = try ProcessSupervisor(processes: [process], logger: .recording(into: logs))

        try await whileRunning(supervisor) {
            let pid = try await waitUntilRunning("canteen", in: supervisor)
            try await eventually("both lines in the log") {
                logs.entries(module: "canteen", stream: "stdout").count >= 1
                    && logs.entries(module: "canteen", stream: "stderr").count >= 1
            }
            let out = logs.entries(module: "canteen", stream: "stdout")
            let err = logs.entries(module: "canteen", stream: "stderr")
            #expect(out.map(\.message) == ["menu of the day"])
            #expect(err.map(\.message) == ["no rice left"])
            #expect(out.first?.metadata["pid"] == "\(pid)")
            #expect(out.first?.level == .info)
            #expect(out.first?.metadata["truncated"] == nil)
        }
        // A last line without a line break is logged when the stream ends.
        #expect(logs.entries(module: "canteen", stream: "stdout").map(\.message) == ["menu of the day", "no newline at the end"])
    }

    @Test("a very long line is cut, and the lines after it still arrive")
    func longLinesAreCut() async throws {
        let process = SupervisedProcess(
            id: "civility",
            executablePath: "/bin/sh",
            arguments: ["-c", "head -c 300000 /dev/zero | tr '\\0' x; echo; echo after; exec sleep 1000"],
            restartPolicy: quickPolicy()
        )
        let logs = RecordingLogHandler.Store()
        let supervisor = try ProcessSupervisor(
            processes: [process],
            configuration: .init(maximumLineLength: 1000, outputLogLevel: .notice),
            logger: .recording(into: logs)
        )

        try await whileRunning(supervisor) {
            try await eventually("the line after the long one") {
                logs.entries(module: "civility", stream: "stdout").contains { $0.message == "after" }
            }
        }
        let lines = logs.entries(module: "civility", stream: "stdout")
        #expect(lines.count == 2)
        #expect(lines.first?.message == String(repeating: "x", count: 1000))
        #expect(lines.first?.metadata["truncated"] == "true")
        #expect(lines.allSatisfy { $0.level == .notice })
    }

    @Test("environment additions and the working directory reach the process")
    func environmentAndWorkingDirectory() async throws {
        let directory = try TemporaryDirectory()
        let process = SupervisedProcess(
            id: "opportunity",
            executablePath: "./module.sh",
            arguments: ["two words", "$HOME", "'quoted'", ""],
            environment: ["KNOCK_HOST_ADDRESS": "127.0.0.1:7443", "KNOCK_MODULE_CERTIFICATE": "certs/opportunity.pem"],
            workingDirectory: directory.path,
            restartPolicy: quickPolicy()
        )
        _ = try directory.script(
            "module.sh",
            #"echo "$KNOCK_HOST_ADDRESS $KNOCK_MODULE_CERTIFICATE $(pwd) home=$HOME"; printf '<%s>\n' "$@"; exec sleep 1000"#
        )
        let logs = RecordingLogHandler.Store()
        let supervisor = try ProcessSupervisor(processes: [process], logger: .recording(into: logs))

        try await whileRunning(supervisor) {
            try await eventually("the module's lines") { logs.entries(module: "opportunity", stream: "stdout").count >= 5 }
        }
        let lines = logs.entries(module: "opportunity", stream: "stdout").map(\.message)
        // The host's own environment is inherited too.
        let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
        #expect(lines.first == "127.0.0.1:7443 certs/opportunity.pem \(directory.path) home=\(home)")
        // Arguments reach the module as they are, through the orphan-protection shell untouched.
        #expect(Array(lines.dropFirst()) == ["<two words>", "<$HOME>", "<'quoted'>", "<>"])
    }

    @Test("a process can be given only some of the host's environment")
    func restrictedEnvironment() async throws {
        let process = SupervisedProcess(
            id: "family-support",
            executablePath: "/usr/bin/env",
            environment: ["KNOCK_MODULE_ID": "family-support"],
            inheritedEnvironment: .only(["PATH", "KNOCK_NO_SUCH_VARIABLE"]),
            restartPolicy: .init(initialBackoff: .seconds(60), maximumBackoff: .seconds(60))
        )
        let logs = RecordingLogHandler.Store()
        let supervisor = try ProcessSupervisor(processes: [process], logger: .recording(into: logs))

        try await whileRunning(supervisor) {
            try await waitForStatus(of: "family-support", in: supervisor, "backing off after env exited") {
                if case .backingOff = $0.state { return true }
                return false
            }
        }
        let variables = Dictionary(
            logs.entries(module: "family-support", stream: "stdout").map { line in
                let parts = line.message.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            },
            uniquingKeysWith: { $1 }
        )
        #expect(variables["KNOCK_MODULE_ID"] == "family-support")
        #expect(variables["PATH"] == ProcessInfo.processInfo.environment["PATH"])
        // Nothing else of the host's: only PWD, which the orphan-protection shell sets.
        #expect(Set(variables.keys).subtracting(["PWD"]) == ["KNOCK_MODULE_ID", "PATH"])
    }

    @Test("a process flooding its output is slowed to the line rate, and still stopped promptly")
    func floodingProcess() async throws {
        let process = SupervisedProcess(id: "policy-outreach", executablePath: "/usr/bin/yes", arguments: ["door knock"])
        let logs = RecordingLogHandler.Store(keepsEntries: false)
        let supervisor = try ProcessSupervisor(
            processes: [process],
            configuration: .init(maximumOutputLinesPerSecond: 1000),
            logger: .recording(into: logs)
        )

        var linesInASecond = 0
        var stoppedAt = ContinuousClock.now
        try await whileRunning(supervisor) {
            try await eventually("a flood of lines") { logs.outputCount > 1000 }
            let before = logs.outputCount
            try await Task.sleep(for: .seconds(1))
            linesInASecond = logs.outputCount - before
            stoppedAt = .now
        }
        // In one second: the rate, plus at most one pipe's worth (64 KiB of 11-byte lines) let
        // through per second of waiting, with a second of slack for a slow machine. Without the
        // limit this was 190 000 here.
        #expect(linesInASecond <= 2 * (1000 + 65_536 / 11))
        // `yes` exits on SIGTERM: the flood did not hold up the stop, nor was the stop a SIGKILL.
        #expect(ContinuousClock.now - stoppedAt < .seconds(10))
        #expect(supervisor.status(of: "policy-outreach")?.lastExit == .signalled(signal: SIGTERM))
        #expect(logs.lastOutput == "door knock")
    }

    @Test("a process flooding its output does not starve the supervisor's other work")
    func floodDoesNotStarveTheThread() async throws {
        // All of the supervisor's tasks run on one thread here. Reading a flood never has to
        // wait for data, so unless the reader gives way, the task that carries out the restart
        // below would never get that thread.
        let executor = RetiringThreadExecutor()
        defer { executor.shutDown() }
        let process = SupervisedProcess(id: "grid-interaction", executablePath: "/usr/bin/yes", arguments: ["notice"], restartPolicy: quickPolicy())
        let logs = RecordingLogHandler.Store(keepsEntries: false)
        let supervisor = try ProcessSupervisor(processes: [process], logger: .recording(into: logs))

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: executor) {
                try await supervisor.run()
            }
            let first = try await waitUntilRunning("grid-interaction", in: supervisor)
            do {
                try await eventually("a flood of lines") { logs.outputCount > 1000 }
                try supervisor.restart("grid-interaction")
                _ = try await waitUntilRunning("grid-interaction", in: supervisor, otherThan: first)
            } catch {
                // A starved supervisor could not stop the flood, nor end its run: end the flood
                // here, so that the test fails instead of hanging.
                kill(first, SIGKILL)
                throw error
            }
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}
