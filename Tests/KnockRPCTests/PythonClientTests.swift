import Foundation
import KnockPKI
import KnockRPC
import KnockTestSupport
import Testing

/// The Python client in Examples/python-client, written from PROTOCOL.md with the standard
/// library only, calls the Swift server over real mutual TLS, in a second process.
@Suite("A Python client written from PROTOCOL.md")
struct PythonClientTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let client = root.appendingPathComponent("Examples/python-client/knock_client.py").path

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func python(_ arguments: [String]) async throws -> Run {
        let output = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", Self.client] + arguments)
        return Run(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }

    @Test("unary calls from Python: a success, an error status, and a refused certificate")
    func pythonCalls() async throws {
        let deployment = try TestDeployment()
        var router = RPCRouter()
        router.add(DemoService())
        let server = try await RPCServer.bind(host: "127.0.0.1", port: 0, tls: try deployment.serverContext(), router: router)
        let serving = Task { try await server.run() }
        let port = "\(server.localAddress.port!)"
        let integrator = try deployment.client(KnockIdentity(kind: .integrator, id: "hospital-a"))
        let files = try deployment.writeFiles(for: integrator)
        let tls = ["--port", port, "--ca", files.appendingPathComponent("ca.pem").path,
                   "--cert", files.appendingPathComponent("cert.pem").path, "--key", files.appendingPathComponent("key.pem").path]

        let echo = try await python(tls + ["echo", "出院回访"])
        #expect(echo.status == 0, "stderr: \(echo.stderr)")
        #expect(echo.stdout == "出院回访\n")

        // knock.demo.Fail with code 5 and a message: FailRequest{code: 5, message: "no such resident"}.
        let failRequest = "0805" + "12" + String(format: "%02x", 16) + Array("no such resident".utf8).map { String(format: "%02x", $0) }.joined()
        let failed = try await python(tls + ["call", "knock.demo.Fail", failRequest])
        #expect(failed.status == 2)
        #expect(failed.stderr.contains("NOT_FOUND: no such resident"))

        let unknown = try await python(tls + ["call", "knock.demo.Nothing", ""])
        #expect(unknown.stderr.contains("UNIMPLEMENTED"))

        // A certificate from another CA is refused.
        let stranger = try TestDeployment(name: "Another CA")
        let strangerFiles = try stranger.writeFiles(for: try stranger.client(KnockIdentity(kind: .integrator, id: "intruder")))
        let refused = try await python(["--port", port, "--ca", files.appendingPathComponent("ca.pem").path,
                                        "--cert", strangerFiles.appendingPathComponent("cert.pem").path,
                                        "--key", strangerFiles.appendingPathComponent("key.pem").path, "echo", "hi"])
        #expect(refused.status != 0)
        #expect(!refused.stdout.contains("hi"))

        server.drain()
        try await serving.value
        try? FileManager.default.removeItem(at: files)
        try? FileManager.default.removeItem(at: strangerFiles)
    }

    @Test("the Python reader agrees with every golden vector")
    func pythonVectors() async throws {
        let run = try await python(["--check-vectors", Self.root.appendingPathComponent("Protocol/vectors").path])
        let count = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Protocol/vectors").path).filter { $0.hasSuffix(".json") }.count
        #expect(run.status == 0)
        #expect(run.stdout == "\(count) vectors agree\n", "stderr: \(run.stderr)")
    }
}
