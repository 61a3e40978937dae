import Foundation

/// The `openssl` command-line tool, run as a real TLS peer.
struct OpenSSLCommand {
    /// A folder of PEM files the command reads.
    struct Files {
        let directory: URL

        init(_ files: [String: String]) throws {
            self.directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("knock-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
            for (name, contents) in files {
                try contents.write(to: self.directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        }

        func path(_ name: String) -> String {
            self.directory.appendingPathComponent(name).path
        }

        func remove() {
            try? FileManager.default.removeItem(at: self.directory)
        }
    }

    /// A started `openssl` process whose output goes to a file.
    final class Running {
        let process = Process()
        private let input = Pipe()
        private let outputURL: URL

        init(_ arguments: [String], in files: Files) throws {
            self.outputURL = files.directory.appendingPathComponent("output-\(UUID().uuidString).txt")
            _ = FileManager.default.createFile(atPath: self.outputURL.path, contents: nil)
            let output = try FileHandle(forWritingTo: self.outputURL)
            self.process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            self.process.arguments = ["openssl"] + arguments
            self.process.standardInput = self.input
            self.process.standardOutput = output
            self.process.standardError = output
            try self.process.run()
            try output.close()
        }

        /// Writes to the process's standard input; `closing` ends it.
        func send(_ text: String, closing: Bool) throws {
            self.input.fileHandleForWriting.write(Data(text.utf8))
            if closing {
                try self.input.fileHandleForWriting.close()
            }
        }

        /// Waits until the process has printed `text`.
        /// - Returns: Whether it did within `timeout`; `false` at once if it exits without.
        func waitForOutput(_ text: String, timeout: Duration) async -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let running = self.process.isRunning
                if ((try? String(contentsOf: self.outputURL, encoding: .utf8)) ?? "").contains(text) { return true }
                guard running else { return false }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return false
        }

        /// Waits for the process to exit, killing it after `timeout`.
        /// - Returns: Its exit status (nil if it had to be killed) and everything it printed.
        func finish(timeout: Duration = .seconds(20)) async -> (status: Int32?, output: String) {
            let deadline = ContinuousClock.now + timeout
            while self.process.isRunning, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            var status: Int32? = nil
            if self.process.isRunning {
                self.process.terminate()
                // Bounded: Process may never see an exit that another SIGCHLD handler reaped.
                for _ in 0..<100 where self.process.isRunning {
                    try? await Task.sleep(for: .milliseconds(20))
                }
            } else {
                status = self.process.terminationStatus
            }
            try? self.input.fileHandleForWriting.close()
            let output = (try? String(contentsOf: self.outputURL, encoding: .utf8)) ?? ""
            return (status, output)
        }
    }
}
