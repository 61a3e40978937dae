import Foundation
import KnockTestSupport

/// The executables this package builds (`swift build --build-tests` builds them too), run as
/// real processes.
enum Processes {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binaries = root.appendingPathComponent(".build/debug")

    /// Starts `name` with `arguments` and extra environment; the caller stops it. Its standard
    /// error goes to `log` if given (created or emptied), else nowhere.
    static func start(_ name: String, _ arguments: [String] = [], environment: [String: String] = [:], log: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent(name)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        if let log {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: log)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// Runs `name` to completion and collects its output, off the cooperative threads.
    static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> ChildProcess.Output {
        try await ChildProcess.run(binaries.appendingPathComponent(name), arguments, environment: environment)
    }
}
