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
            #"echo "$KNOCK_HOST_ADDRESS $KNOCK_MODULE_CERTIFICATE $(pwd) home=${HOME:+set}"; printf '<%s>\n' "$@"; exec sleep 1000"#
        )
        let logs = RecordingLogHandler.Store()
        let supervisor = try ProcessSupervisor(processes: [process], logger: .recording(into: logs))

        try await whileRunning(supervisor) {
            try await eventually("the module's lines") { logs.entries(module: "opportunity", stream: "stdout").count >= 5 }
        }
        let lines = logs.entries(module: "opportunity", stream: "stdout").map(\.message)
        // The host's own environment is inherited too (HOME is set for the test runner).
        #expect(lines.first == "127.0.0.1:7443 certs/opportunity.pem \(directory.path) home=set")
        // Arguments reach the module as they are, through the orphan-protection shell untouched.
        #expect(Array(lines.dropFirst()) == ["<two words>", "<$HOME>", "<'quoted'>", "<>"])
    }

    @Test("a process flooding its output is logged line by line and still stopped promptly")
    func floodingProcess() async throws {
        let stopTimeout = Duration.seconds(1)
        let process = SupervisedProcess(id: "policy-outreach", executablePath: "/usr/bin/yes", arguments: ["door knock"], stopTimeout: stopTimeout)
        let logs = RecordingLogHandler.Store(keepsEntries: false)
        let supervisor = try ProcessSupervisor(processes: [process], logger: .recording(into: logs))

        var cancelledAt = ContinuousClock.now
        try await whileRunning(supervisor) {
            try await eventually("a flood of lines") { logs.outputCount > 5_000 }
            cancelledAt = .now
        }
        // `yes` exits on SIGTERM; the flood did not hold up the stop.
        #expect(ContinuousClock.now - cancelledAt < stopTimeout)
        #expect(supervisor.status(of: "policy-outreach")?.lastExit == .signalled(signal: SIGTERM))
        #expect(logs.lastOutput == "door knock")
    }
}
