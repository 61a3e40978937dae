import Foundation
import KnockTestSupport

/// The executables this package builds (`swift build --build-tests` builds them too), run as
/// real processes.
enum Processes {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binaries = root.appendingPathComponent(".build/debug")

    /// Starts `name` with `arguments` and extra environment; the caller stops it.
    static func start(_ name: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent(name)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `name` to completion and collects its output, off the cooperative threads.
    static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> ChildProcess.Output {
        try await ChildProcess.run(binaries.appendingPathComponent(name), arguments, environment: environment)
    }
}
