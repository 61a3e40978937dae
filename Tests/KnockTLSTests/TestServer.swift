import KnockTLS
import NIOCore
import NIOPosix

/// A TLS server on 127.0.0.1 with a `Recorder` behind each connection's `TLSHandler`.
struct TestServer: Sendable {
    let channel: any Channel
    let log: ServerLog

    var port: Int { self.channel.localAddress!.port! }

    static func start(
        _ configuration: TLSConfiguration,
        behaviour: Recorder.Behaviour = .echo,
        allowsHalfClosure: Bool = false,
        autoRead: Bool = true
    ) async throws -> TestServer {
        let context = try TLSContext(configuration: configuration)
        let log = ServerLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: allowsHalfClosure)
            .childChannelOption(.autoRead, value: autoRead)
            .childChannelInitializer { channel in
                let connectionLog = ConnectionLog()
                log.add(connectionLog)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(TLSHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(Recorder(log: connectionLog, behaviour: behaviour))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TestServer(channel: channel, log: log)
    }

    func stop() async {
        try? await self.channel.close()
    }
}
