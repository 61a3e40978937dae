import Foundation
import KnockSupervisor
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Failures")
struct FailureTests {
    @Test("a missing executable fails with an error naming the path, without retrying, until restarted")
    func missingExecutable() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/modules/canteen"
        let process = SupervisedProcess(id: "canteen", executablePath: path, restartPolicy: quickPolicy(initialBackoff: .milliseconds(1)))
        let logs = RecordingLogHandler.Store()
        let supervisor = try ProcessSupervisor(processes: [process], logger: .recording(into: logs))

        try await whileRunning(supervisor) {
            let failed = try await waitForStatus(of: "canteen", in: supervisor, "failed") {
                if case .failed = $0.state { return true }
                return false
            }
            guard case .failed(let error) = failed.state else {
                return
            }
            #expect(error.code == .executableNotFound)
            #expect(error.message == "executable '\(path)' of 'canteen' does not exist")
            #expect(failed.lastError == error)

            // No busy loop: a while later it has neither been retried nor logged again.
            try await Task.sleep(for: .milliseconds(300))
            #expect(supervisor.status(of: "canteen")?.restartCount == 0)
            #expect(logs.entries(module: "canteen").filter { $0.level == .error }.count == 1)

            // Once the file is there, a restart request starts it.
            try FileManager.default.createDirectory(atPath: directory.path + "/modules", withIntermediateDirectories: false)
            _ = try directory.script("modules/canteen", "exec sleep 1000")
            try supervisor.restart("canteen")
            _ = try await waitUntilRunning("canteen", in: supervisor)
        }
    }

    @Test("a file without execute permission, and a directory, are not runnable")
    func notRunnable() async throws {
        let directory = try TemporaryDirectory()
        let script = try directory.script("module", "exit 0")
        chmod(script, 0o644)
        let supervisor = try ProcessSupervisor(
            processes: [
                SupervisedProcess(id: "no-permission", executablePath: script),
                SupervisedProcess(id: "directory", executablePath: directory.path),
                SupervisedProcess(id: "not-on-path", executablePath: "knock-no-such-module"),
                SupervisedProcess(id: "bad-directory", executablePath: "/bin/sleep", workingDirectory: directory.path + "/nowhere"),
            ],
            logger: .recording(into: .init())
        )
        try await whileRunning(supervisor) {
            let expected: [String: SupervisorError.Code] = [
                "no-permission": .executableNotRunnable,
                "directory": .executableNotRunnable,
                "not-on-path": .executableNotFound,
                "bad-directory": .workingDirectoryNotFound,
            ]
            for (id, code) in expected {
                let status = try await waitForStatus(of: id, in: supervisor, "failed") {
                    if case .failed = $0.state { return true }
                    return false
                }
                #expect(status.lastError?.code == code, "\(id): \(status)")
            }
        }
    }

    @Test("configurations that cannot work are refused at init")
    func invalidConfigurations() {
        let good = SupervisedProcess(id: "canteen", executablePath: "/bin/true")
        var noID = good
        noID.id = ""
        var badPolicy = good
        badPolicy.restartPolicy.multiplier = 0.5
        var badEnvironment = good
        badEnvironment.environment = ["A=B": "c"]
        var negativeTimeout = good
        negativeTimeout.stopTimeout = .seconds(-1)
        for processes in [[noID], [good, good], [badPolicy], [badEnvironment], [negativeTimeout]] {
            let error = #expect(throws: SupervisorError.self) {
                try ProcessSupervisor(processes: processes, logger: .recording(into: .init()))
            }
            #expect(error?.code == .invalidConfiguration)
        }
    }

    @Test("a supervisor runs once")
    func runsOnce() async throws {
        let supervisor = try ProcessSupervisor(processes: [], logger: .recording(into: .init()))
        try await supervisor.run()
        let error = await #expect(throws: SupervisorError.self) { try await supervisor.run() }
        #expect(error?.code == .alreadyStarted)
        // A stream asked for after the end holds the statuses and finishes at once.
        for await _ in supervisor.statusUpdates() {}
    }
}
