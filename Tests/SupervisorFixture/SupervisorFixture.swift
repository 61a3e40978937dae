// A second process for KnockSupervisorTests: it runs a ProcessSupervisor over one command and
// writes `running <pid>` to stdout each time the command is running, until it is killed. The
// orphan-protection test SIGKILLs it and checks that the command dies with it — and, as a
// control, that with `--unprotected` (OrphanProtection.disabled) the command outlives it.
//
// usage: knock-supervisor-fixture [--unprotected] <executable> [arguments…]

import KnockSupervisor
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

@main
struct SupervisorFixture {
    static func main() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let isUnprotected = arguments.first == "--unprotected"
        if isUnprotected {
            arguments.removeFirst()
        }
        guard let executable = arguments.first else {
            writeLine("usage: knock-supervisor-fixture [--unprotected] <executable> [arguments…]", to: STDERR_FILENO)
            exit(64)
        }
        // Log to stderr: stdout carries the `running <pid>` lines the test reads.
        let logger = Logger(label: "knock-supervisor-fixture") { StreamLogHandler.standardError(label: $0) }
        let supervisor = try ProcessSupervisor(
            processes: [
                SupervisedProcess(id: "fixture-child", executablePath: executable, arguments: Array(arguments.dropFirst()))
            ],
            configuration: .init(orphanProtection: isUnprotected ? .disabled : .parentDeathSignal),
            logger: logger
        )
        let updates = supervisor.statusUpdates()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await supervisor.run()
            }
            for await status in updates {
                if case .running(let pid, _) = status.state {
                    writeLine("running \(pid)", to: STDOUT_FILENO)
                }
            }
            try await group.waitForAll()
        }
    }

    /// Writes one line straight to a file descriptor, unbuffered, so the reader sees it at once.
    static func writeLine(_ text: String, to descriptor: Int32) {
        var bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR {
                    continue
                }
                return
            }
            offset += written
        }
    }
}
