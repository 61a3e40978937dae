public import KnockWire
public import KnockTLS
public import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A hand-driven protocol peer for tests: sends any bytes or frames and records the frames it
/// receives, so tests can misbehave on purpose and see exactly what the other side answers.
public final class RawPeer: Sendable {
    public let channel: any Channel
    private let collector: Collector

    init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    /// Opens one end of a socket pair as a raw peer with the given role, and returns the other
    /// end's file descriptor for an `RPCConnection`.
    public static func socketPair(role: ConnectionRole) async throws -> (peer: RawPeer, otherEnd: Int32) {
        var fds: [Int32] = [0, 0]
        #if canImport(Glibc)
        let kind = Int32(SOCK_STREAM.rawValue)
        #else
        let kind = SOCK_STREAM
        #endif
        precondition(socketpair(AF_UNIX, kind, 0, &fds) == 0)
        let peer = try await attach(fd: fds[0], role: role)
        return (peer, fds[1])
    }

    /// Wraps a connected socket as a raw peer.
    public static func attach(fd: Int32, role: ConnectionRole) async throws -> RawPeer {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).withConnectedSocket(fd) { channel in
            channel.eventLoop.makeCompletedFuture {
                let collector = Collector()
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(role: role, maxFrameSize: WireLimits.maximumMaxFrameSize)))
                try channel.pipeline.syncOperations.addHandler(collector)
                return RawPeer(channel: channel, collector: collector)
            }
        }
    }

    /// Dials `host:port` over TLS with `tls` as a raw peer (the dialer).
    public static func connect(host: String = "127.0.0.1", port: Int, tls: TLSContext) async throws -> RawPeer {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                let collector = Collector()
                try channel.pipeline.syncOperations.addHandler(try TLSHandler(context: tls, serverName: "localhost"))
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(role: .dialer, maxFrameSize: WireLimits.maximumMaxFrameSize)))
                try channel.pipeline.syncOperations.addHandler(collector)
                return RawPeer(channel: channel, collector: collector)
            }
        }
    }

    /// Sends raw bytes.
    public func send(bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Sends frames.
    public func send(_ frames: Frame...) async throws {
        var buffer = ByteBuffer()
        for frame in frames { buffer.writeFrame(frame) }
        try await channel.writeAndFlush(buffer)
    }

    /// The frames received so far.
    public var received: [Frame] { collector.inbox.withLock { $0 } }

    /// Whether the other side closed the connection.
    public var isClosed: Bool { collector.closed.withLock { $0 } }

    /// Waits until a received frame satisfies `match`, and returns it.
    public func waitForFrame(timeout: Duration = .seconds(5), where match: @Sendable (Frame) -> Bool) async -> Frame? {
        let end = ContinuousClock.now + timeout
        repeat {
            if let frame = received.first(where: match) { return frame }
            try? await Task.sleep(for: .milliseconds(5))
        } while ContinuousClock.now < end
        return received.first(where: match)
    }

    /// Waits until the other side has closed the connection.
    public func waitForClose(timeout: Duration = .seconds(5)) async -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if isClosed { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return isClosed
    }

    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = Frame
        let inbox = Mutex<[Frame]>([])
        let closed = Mutex(false)

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            inbox.withLock { $0.append(frame) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            closed.withLock { $0 = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
