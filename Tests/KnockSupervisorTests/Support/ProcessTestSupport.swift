import Foundation
import KnockSupervisor
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A wait in a test that ran out of time.
struct TimedOut: Error, CustomStringConvertible {
    var description: String
}

/// Waits, polling, until `condition` holds. The timeouts are generous: they only decide how
/// long a broken build takes to fail, never whether a working one passes.
func eventually(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(15),
    _ condition: () throws -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while try !condition() {
        guard ContinuousClock.now < deadline else {
            throw TimedOut(description: "timed out after \(timeout) waiting for \(what())")
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Waits until the process's status matches, and returns that status.
@discardableResult
func waitForStatus(
    of id: String,
    in supervisor: ProcessSupervisor,
    _ what: String,
    timeout: Duration = .seconds(15),
    where matches: (ProcessStatus) -> Bool
) async throws -> ProcessStatus {
    var seen: ProcessStatus?
    try await eventually("\(id) to be \(what) (last seen: \(seen.map { "\($0)" } ?? "nothing"))", timeout: timeout) {
        seen = supervisor.status(of: id)
        return seen.map(matches) ?? false
    }
    return seen!
}

/// Waits until the process runs, and returns its pid.
func waitUntilRunning(
    _ id: String,
    in supervisor: ProcessSupervisor,
    otherThan previous: Int32? = nil
) async throws -> Int32 {
    let status = try await waitForStatus(of: id, in: supervisor, "running") { status in
        guard let pid = status.state.pid, case .running = status.state else {
            return false
        }
        return pid != previous
    }
    return status.state.pid!
}

/// Waits until a process has written `line` (to stdout or stderr).
func waitForLine(_ line: String, from id: String, in logs: RecordingLogHandler.Store) async throws {
    try await eventually("'\(line)' from \(id)") {
        logs.entries(module: id).contains { $0.metadata["stream"] != nil && $0.message == line }
    }
}

/// Waits until process `pid` runs the program `name` (its `/proc/<pid>/comm`), i.e. the shell
/// that started it has reached its final `exec`.
func waitForProgram(_ name: String, pid: Int32) async throws {
    try await eventually("pid \(pid) to run \(name)") {
        let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)
        return comm?.trimmingCharacters(in: .newlines) == name
    }
}

/// Runs `supervisor` while `body` runs, then cancels it and waits until `run()` has returned.
@discardableResult
func whileRunning<T>(
    _ supervisor: ProcessSupervisor,
    _ body: () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await supervisor.run()
        }
        do {
            let result = try await body()
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// Whether `pid` names no process at all: `kill(pid, 0)` fails with `ESRCH`. A zombie (exited
/// but not reaped) still counts as a process here.
func processIsGone(_ pid: Int32) -> Bool {
    kill(pid, 0) == -1 && errno == ESRCH
}

/// The one-letter state in `/proc/<pid>/stat` (`R`, `S`, `Z`, …), or `nil` when there is no
/// such process.
func procState(_ pid: Int32) -> Character? {
    procStatFields(pid).map { $0.state }
}

/// The parent pid in `/proc/<pid>/stat`, or `nil` when there is no such process.
func parentPID(of pid: Int32) -> Int32? {
    procStatFields(pid).map { $0.parent }
}

private func procStatFields(_ pid: Int32) -> (state: Character, parent: Int32)? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else {
        return nil
    }
    // After "pid (comm) " come the state and the parent pid.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count >= 2, let state = fields[0].first, let parent = Int32(fields[1]) else {
        return nil
    }
    return (state, parent)
}

/// A fresh directory under /tmp, removed by `cleanUp()`.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        var template = Array("/tmp/knock-supervisor-tests-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        path = String(cString: made)
    }

    /// Writes an executable shell script and returns its path.
    func script(_ name: String, _ body: String) throws -> String {
        let file = path + "/" + name
        try ("#!/bin/sh\n" + body + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o755)
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A restart policy for tests: quick, and given up on never.
func quickPolicy(initialBackoff: Duration = .milliseconds(20)) -> SupervisedProcess.RestartPolicy {
    SupervisedProcess.RestartPolicy(initialBackoff: initialBackoff, multiplier: 2, maximumBackoff: .seconds(5), stablePeriod: .seconds(30))
}
