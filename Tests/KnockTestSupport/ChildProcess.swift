public import Foundation

/// Runs another program to completion without blocking Swift's cooperative threads: the
/// blocking reads and the wait happen on a thread of their own, so tests running in parallel
/// keep their threads.
public enum ChildProcess {
    /// What a finished program printed and how it ended.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `executable` with `arguments` and extra `environment`.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) async throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                // Read stderr on another thread so neither pipe can fill up and stall the child.
                let stderrBox = StderrBox()
                let reader = Thread { stderrBox.data = err.fileHandleForReading.readDataToEndOfFile(); stderrBox.done.signal() }
                reader.start()
                let stdout = out.fileHandleForReading.readDataToEndOfFile()
                stderrBox.done.wait()
                let status: Int32 = switch ProcessExit.waitBlocking(process) {
                case .exited(let code): code
                case .signalled(let signal): 128 + signal
                case .unknown, nil: -1
                }
                continuation.resume(returning: Output(
                    status: status,
                    stdout: String(decoding: stdout, as: UTF8.self),
                    stderr: String(decoding: stderrBox.data, as: UTF8.self)
                ))
            }
        }
    }

    /// Safety of the `@unchecked Sendable`: `data` is written by the reader thread before it
    /// signals `done`, and read only after waiting on `done`.
    private final class StderrBox: @unchecked Sendable {
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }
}
