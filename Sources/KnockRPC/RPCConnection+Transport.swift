public import KnockTLS
import KnockWire
public import Logging
public import NIOCore
public import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

extension RPCConnection {
    /// Builds the pipeline of a connection on `channel` — TLS (if any), then the connection
    /// handler, which splits the bytes into frames itself — and returns the connection. Must run on the channel's event loop.
    static func install(
        on channel: any Channel,
        role: ConnectionRole,
        tls: TLSContext?,
        serverName: String?,
        configuration: ConnectionConfiguration,
        router: RPCRouter?,
        interceptors: [any ServerInterceptor],
        peer: PeerIdentity?,
        admitPeer: (@Sendable (PeerIdentity) -> Bool)? = nil,
        logger: Logger
    ) throws -> RPCConnection {
        let connection = RPCConnection(
            channel: channel, role: role, configuration: configuration, router: router,
            interceptors: interceptors, peer: peer, admitPeer: admitPeer, logger: logger
        )
        let pipeline = channel.pipeline.syncOperations
        if let tls {
            try pipeline.addHandler(try TLSHandler(context: tls, serverName: serverName))
        }
        try pipeline.addHandler(RPCChannelHandler(connection: connection, decoder: FrameDecoder(role: role, maxFrameSize: configuration.maxFrameSize)))
        return connection
    }

    /// Dials a Knock peer (normally the host) over TCP and mutual TLS, and waits for the HELLO
    /// exchange.
    /// - Parameters:
    ///   - host: Host name or address.
    ///   - port: TCP port.
    ///   - tls: The client TLS context (this side's certificate, the deployment CA).
    ///   - serverName: The name the host's certificate must carry; defaults to `host`.
    ///   - configuration: This side's limits and timers.
    ///   - router: Methods this side serves to the peer (a module serves the host's calls);
    ///     `nil` to serve none. If given, ``run()`` must be running for them to be served.
    ///   - interceptors: Interceptors around this side's handlers.
    ///   - group: The event loops to use.
    ///   - logger: Where the connection logs.
    /// - Returns: The ready connection.
    /// - Throws: ``RPCError`` `UNAVAILABLE` naming the cause (refused certificate, no common
    ///   version, connection refused).
    public static func connect(
        to host: String,
        port: Int,
        tls: TLSContext,
        serverName: String? = nil,
        configuration: ConnectionConfiguration = ConnectionConfiguration(),
        router: RPCRouter? = nil,
        interceptors: [any ServerInterceptor] = [],
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "knock.rpc")
    ) async throws -> RPCConnection {
        let connection: RPCConnection
        do {
            connection = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(10))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try install(
                            on: channel, role: .dialer, tls: tls, serverName: serverName ?? host,
                            configuration: configuration, router: router, interceptors: interceptors,
                            peer: nil, logger: logger
                        )
                    }
                }
        } catch {
            throw RPCError(code: .unavailable, message: "cannot connect to \(host):\(port): \(error)", cause: SendableErrorBox(error))
        }
        do {
            try await connection.waitUntilReady()
        } catch let error as RPCError {
            connection.close()
            throw RPCError(code: .unavailable, message: "\(host):\(port) refused the connection: \(error.message)", cause: error.cause)
        }
        return connection
    }

    /// Two connected ends in this process, without TLS: for a linked-in module and for tests.
    /// The semantics are those of a network connection (same frames, limits and errors); the
    /// identities are given instead of read from certificates.
    /// - Parameters:
    ///   - server: The accepting end: its router, interceptors, configuration and the identity
    ///     it sees for the client.
    ///   - client: The dialing end, likewise.
    ///   - group: The event loops to use.
    /// - Returns: The dialing end and the accepting end, both ready.
    /// - Throws: ``RPCError`` `UNAVAILABLE` if the socket pair cannot be made.
    public static func inProcessPair(
        server: InProcessEnd = InProcessEnd(),
        client: InProcessEnd = InProcessEnd(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> (client: RPCConnection, server: RPCConnection) {
        var fds: [Int32] = [0, 0]
        #if canImport(Glibc)
        let kind = Int32(SOCK_STREAM.rawValue)
        #else
        let kind = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, kind, 0, &fds) == 0 else {
            throw RPCError(code: .unavailable, message: "socketpair failed: errno \(errno)")
        }
        let serverEnd = try await attach(fd: fds[0], role: .acceptor, end: server, group: group)
        let clientEnd = try await attach(fd: fds[1], role: .dialer, end: client, group: group)
        try await serverEnd.waitUntilReady()
        try await clientEnd.waitUntilReady()
        return (clientEnd, serverEnd)
    }
}

extension RPCConnection {
    /// Runs a connection, without TLS, over a socket that is already connected: one end of a
    /// socket pair, or a descriptor inherited from a parent process. The peer's identity is
    /// whatever `end.peerSeen` says. Does not wait for the HELLO exchange
    /// (see ``waitUntilReady()``).
    /// - Parameters:
    ///   - fd: The connected socket; the connection owns it from now on.
    ///   - role: This end's role.
    ///   - end: Router, interceptors, configuration and peer identity of this end.
    ///   - group: The event loops to use.
    /// - Returns: The connection.
    /// - Throws: If the descriptor cannot be registered with an event loop.
    public static func attach(
        fd: Int32,
        role: ConnectionRole,
        end: InProcessEnd,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> RPCConnection {
        try await ClientBootstrap(group: group).withConnectedSocket(fd) { channel in
            channel.eventLoop.makeCompletedFuture {
                try install(
                    on: channel, role: role, tls: nil, serverName: nil,
                    configuration: end.configuration, router: end.router,
                    interceptors: end.interceptors, peer: end.peerSeen, logger: end.logger
                )
            }
        }
    }
}

/// One end of an in-process connection.
public struct InProcessEnd: Sendable {
    /// Methods this end serves (run ``RPCConnection/run()`` to serve them).
    public var router: RPCRouter?
    /// Interceptors around this end's handlers.
    public var interceptors: [any ServerInterceptor]
    /// Limits and timers.
    public var configuration: ConnectionConfiguration
    /// The identity this end sees for its peer.
    public var peerSeen: PeerIdentity?
    /// Where this end logs.
    public var logger: Logger

    /// Describes one end.
    /// - Parameters:
    ///   - router: Methods served.
    ///   - interceptors: Interceptors around handlers.
    ///   - configuration: Limits and timers.
    ///   - peerSeen: The identity this end attributes to the other.
    ///   - logger: Where it logs.
    public init(
        router: RPCRouter? = nil,
        interceptors: [any ServerInterceptor] = [],
        configuration: ConnectionConfiguration = ConnectionConfiguration(),
        peerSeen: PeerIdentity? = nil,
        logger: Logger = Logger(label: "knock.rpc.in-process")
    ) {
        self.router = router
        self.interceptors = interceptors
        self.configuration = configuration
        self.peerSeen = peerSeen
        self.logger = logger
    }
}
