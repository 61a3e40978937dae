import Foundation
import KnockPKI
import KnockRPC
import KnockTestSupport
import NIOCore
import NIOPosix
import Testing

/// Dialing a port where nobody listens fails cleanly, as often as it is tried (a refused dial
/// once left the connection's readiness promise unfulfilled, which traps in debug builds).
@Suite struct RefusedDialTests {
    @Test func dialingNobodyIsUnavailable() async throws {
        let deployment = try TestDeployment()
        let tls = try deployment.clientContext(try deployment.client(KnockIdentity(kind: .member, id: "m-1")))
        // A port that was just free: bind it, note it, let it go.
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = probe.localAddress!.port!
        try await probe.close()
        for _ in 0..<20 {
            let error = try await #require(throws: RPCError.self) {
                try await RPCConnection.connect(to: "127.0.0.1", port: port, tls: tls, serverName: "localhost")
            }
            // (Another test may bind the port meanwhile and reset the connection: UNAVAILABLE too.)
            #expect(error.code == .unavailable)
        }
    }
}
