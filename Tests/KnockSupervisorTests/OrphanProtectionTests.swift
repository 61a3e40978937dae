import Foundation
import KnockSupervisor
import Logging
import Subprocess
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Orphan protection")
struct OrphanProtectionTests {
    @Test("a child dies with its supervising process when that process is SIGKILLed")
    func childDiesWithItsSupervisorProcess() async throws {
        let child = try await startFixtureAndKillIt(arguments: ["/bin/sleep", "1000"])
        // The fixture is dead and reaped. Its child may linger a moment as a zombie of init, but
        // must not be running.
        try await eventually("the orphaned sleep \(child) to die", timeout: .seconds(10)) {
            let state = procState(child)
            return state == nil || state == "Z" || state == "X"
        }
    }

    @Test("control: without orphan protection the child outlives its supervising process")
    func childOutlivesAnUnprotectedSupervisorProcess() async throws {
        // Shows that the protection is what ends the child above, not the fixture's death as such.
        let child = try await startFixtureAndKillIt(arguments: ["--unprotected", "/bin/sleep", "1000"])
        defer { kill(child, SIGKILL) }
        try await Task.sleep(for: .milliseconds(500))
        let state = procState(child)
        #expect(state != nil && state != "Z" && state != "X", "state \(state.map { String($0) } ?? "gone")")
    }

    @Test("a child outlives the retirement of threads that ran the supervisor")
    func childSurvivesTheExitOfThreadsThatRanTheSupervisor() async throws {
        let executor = RetiringThreadExecutor()
        defer { executor.shutDown() }
        let supervisor = try ProcessSupervisor(
            processes: [SupervisedProcess(id: "daily-knock", executablePath: "/bin/sleep", arguments: ["1000"], stopTimeout: .seconds(2))],
            logger: .recording(into: .init())
        )

        // Control: a child armed the same way but created from the executor's own thread dies
        // when that thread is retired. It shows that retiring a thread is what would kill a child
        // created on it, so that the check below can fail.
        let control = try await withTaskExecutorPreference(executor) {
            #expect(pthread_equal(pthread_self(), executor.currentThread) != 0)
            return try spawnArmedSleep()
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: executor) {
                try await supervisor.run()
            }
            let pid = try await waitUntilRunning("daily-knock", in: supervisor)
            executor.retireThread()
            executor.retireThread()

            let controlStatus = try await waitForExit(of: control)
            #expect(controlStatus == .signalled(signal: SIGKILL))
            // The control died at once; the supervised child, created by swift-subprocess's own
            // long-lived thread, lives on and was never restarted.
            try await Task.sleep(for: .milliseconds(300))
            let status = supervisor.status(of: "daily-knock")
            #expect(status?.state.pid == pid)
            #expect(status?.restartCount == 0)
            #expect(procState(pid).map { $0 != "Z" } == true)

            group.cancelAll()
            try await group.waitForAll()
        }
    }
}

/// Starts the fixture supervising `sleep`, SIGKILLs the fixture once `sleep` runs, reaps it, and
/// returns the pid of `sleep`.
private func startFixtureAndKillIt(arguments: [String]) async throws -> Int32 {
    let fixture = try #require(fixtureExecutable(), "knock-supervisor-fixture was not built next to the tests")
    var childPID: Int32 = 0
    _ = try await Subprocess.run(
        .path(.init(fixture)),
        arguments: .init(arguments),
        input: .none,
        output: .sequence,
        error: .discarded
    ) { execution in
        let fixturePID = execution.processIdentifier.value
        for try await line in execution.standardOutput.strings() {
            if line.hasPrefix("running "), let pid = Int32(line.dropFirst("running ".count)) {
                childPID = pid
                break
            }
        }
        // The setup is what the test means: `sleep` is alive, a child of the fixture.
        #expect(childPID > 0)
        #expect(parentPID(of: childPID) == fixturePID)
        try execution.send(signal: .kill)
    }
    return childPID
}

/// The fixture executable, built by SwiftPM next to the test bundle.
private func fixtureExecutable() -> String? {
    guard let testBinary = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
        return nil
    }
    let directory = (testBinary as NSString).deletingLastPathComponent
    let candidate = directory + "/knock-supervisor-fixture"
    return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
}

/// Starts `setpriv --pdeathsig KILL -- sleep 1000` with `posix_spawn` from the calling thread.
private func spawnArmedSleep() throws -> pid_t {
    let arguments = ["setpriv", "--pdeathsig", "KILL", "--", "/bin/sleep", "1000"]
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let result = posix_spawn(&pid, "/usr/bin/setpriv", nil, nil, &argv, environ)
    guard result == 0 else {
        throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO)
    }
    return pid
}

/// Reaps a child this test started itself, waiting for it to exit.
private func waitForExit(of pid: pid_t) async throws -> ExitReason {
    var reason: ExitReason?
    try await eventually("control child \(pid) to exit", timeout: .seconds(10)) {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else {
            return false
        }
        // WIFSIGNALED / WTERMSIG / WEXITSTATUS, which Swift does not import.
        let signal = status & 0x7f
        reason = signal == 0 ? .exited(status: (status >> 8) & 0xff) : .signalled(signal: signal)
        return true
    }
    return reason!
}
