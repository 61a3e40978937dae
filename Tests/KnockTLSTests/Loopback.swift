import KnockTLS
import NIOCore
import NIOPosix
import Testing

/// Makes the handlers a test adds around the TLS handler, on the channel's event loop.
typealias HandlerFactory = @Sendable () -> [any ChannelHandler]

/// Connects a TLS client to `port` and returns its channel and log.
/// - Parameters:
///   - below: Handlers between the socket and the TLS handler.
///   - above: Handlers after the `Recorder`.
func connectClient(
    _ configuration: TLSConfiguration,
    port: Int,
    allowsHalfClosure: Bool = false,
    below: HandlerFactory? = nil,
    above: HandlerFactory? = nil
) async throws -> (channel: any Channel, log: ConnectionLog) {
    let context = try TLSContext(configuration: configuration)
    let log = ConnectionLog()
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelOption(.allowRemoteHalfClosure, value: allowsHalfClosure)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandlers(below?() ?? [])
                try pipeline.addHandler(TLSHandler(context: context))
                try pipeline.addHandler(Recorder(log: log, behaviour: .client))
                try pipeline.addHandlers(above?() ?? [])
            }
        }
        .connect(host: "127.0.0.1", port: port)
        .get()
    return (channel, log)
}

/// A new member connection to `server` gets its echo: the server is still serving.
func expectStillServing(
    _ server: TestServer,
    _ pki: TestPKI,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let good = try await connectClient(pki.clientConfiguration(), port: server.port)
    try await good.channel.send("still serving")
    #expect(await good.log.wait { $0.receivedText == "still serving" }, sourceLocation: sourceLocation)
    try await good.channel.close()
}

/// Connects a plain TCP client (no TLS) to `port`: what it receives is raw bytes.
func connectRawClient(port: Int) async throws -> (channel: any Channel, log: ConnectionLog) {
    let log = ConnectionLog()
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(Recorder(log: log, behaviour: .client))
            }
        }
        .connect(host: "127.0.0.1", port: port)
        .get()
    return (channel, log)
}

extension Channel {
    /// Writes and flushes `text` as plaintext through the pipeline.
    func send(_ text: String) async throws {
        try await self.writeAndFlush(ByteBuffer(string: text))
    }

    /// Writes and flushes raw bytes through the pipeline.
    func send(_ bytes: [UInt8]) async throws {
        try await self.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// The TLS handler's view of the connection, read on the event loop.
    func tlsState() async throws -> (peer: PeerIdentity?, applicationProtocol: String?) {
        try await self.eventLoop.submit {
            let handler = try self.pipeline.syncOperations.handler(type: TLSHandler.self)
            return (handler.peerIdentity, handler.applicationProtocol)
        }.get()
    }
}
