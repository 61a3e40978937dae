public import KnockTLS
import KnockWire
public import Logging
public import NIOCore
public import NIOPosix
import Synchronization

/// Accepts Knock connections over TCP and mutual TLS and serves a router's methods on each.
///
/// ``bind(host:port:tls:configuration:router:interceptors:group:logger:)`` opens the listening
/// socket; ``run()`` serves until ``drain()`` (graceful: GOAWAY to every connection, in-flight
/// calls finish) or the listening socket closes.
public final class RPCServer: Sendable {
    /// Limits of a server beyond those of each connection.
    public struct Limits: Sendable {
        /// Connections served at once; more are closed as soon as they are accepted.
        public var maxConnections: Int
        /// Connections served at once with one certificate (by its SHA-256 fingerprint); more are
        /// closed with GOAWAY `ENHANCE_YOUR_CALM` once their handshake shows who they are, so one
        /// lost phone or runaway module cannot take the server's connections.
        public var maxConnectionsPerPeer: Int

        /// Creates limits.
        /// - Parameters:
        ///   - maxConnections: Connections served at once (default 4,096).
        ///   - maxConnectionsPerPeer: Connections served at once per certificate (default 64).
        public init(maxConnections: Int = 4_096, maxConnectionsPerPeer: Int = 64) {
            self.maxConnections = maxConnections
            self.maxConnectionsPerPeer = maxConnectionsPerPeer
        }
    }

    private let listener: NIOAsyncChannel<RPCConnection?, Never>
    private let live: LiveConnections
    private let draining: Mutex<Bool>
    private let logger: Logger

    /// The address the server listens on (with the real port when bound to port 0).
    public let localAddress: SocketAddress

    private init(listener: NIOAsyncChannel<RPCConnection?, Never>, live: LiveConnections, logger: Logger) throws {
        self.listener = listener
        self.live = live
        self.draining = Mutex(false)
        self.logger = logger
        guard let address = listener.channel.localAddress else {
            throw RPCError(code: .internal, message: "the listening socket has no address")
        }
        self.localAddress = address
    }

    /// Opens the listening socket.
    /// - Parameters:
    ///   - host: The address to listen on, e.g. `127.0.0.1`.
    ///   - port: The port; 0 picks a free one (see ``localAddress``).
    ///   - tls: The server TLS context (host certificate, deployment CA, revocation hook).
    ///   - configuration: Each connection's limits and timers.
    ///   - limits: Server-wide limits.
    ///   - router: The methods served.
    ///   - interceptors: Interceptors around every handler.
    ///   - group: The event loops to use.
    ///   - logger: Where the server logs.
    /// - Returns: The bound server; call ``run()``.
    /// - Throws: If the address cannot be bound.
    public static func bind(
        host: String,
        port: Int,
        tls: TLSContext,
        configuration: ConnectionConfiguration = ConnectionConfiguration(),
        limits: Limits = Limits(),
        router: RPCRouter,
        interceptors: [any ServerInterceptor] = [],
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "knock.rpc.server")
    ) async throws -> RPCServer {
        let live = LiveConnections()
        let maxConnections = limits.maxConnections
        let maxPerPeer = limits.maxConnectionsPerPeer
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1_024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel -> EventLoopFuture<RPCConnection?> in
                channel.eventLoop.makeCompletedFuture {
                    let admitted = live.connections.withLock { $0.count < maxConnections }
                    guard admitted else {
                        logger.warning("connection refused: at the limit", metadata: ["max": "\(maxConnections)"])
                        channel.close(promise: nil)
                        return nil
                    }
                    let slot = PeerSlot()
                    let connection = try RPCConnection.install(
                        on: channel, role: .acceptor, tls: tls, serverName: nil,
                        configuration: configuration, router: router, interceptors: interceptors,
                        peer: nil, admitPeer: { peer in live.admit(peer.sha256Fingerprint, limit: maxPerPeer, slot: slot) },
                        logger: logger
                    )
                    let id = ObjectIdentifier(connection)
                    live.connections.withLock { $0[id] = connection }
                    channel.closeFuture.whenComplete { _ in
                        _ = live.connections.withLock { $0.removeValue(forKey: id) }
                        live.release(slot)
                    }
                    return connection
                }
            }
        return try RPCServer(listener: listener, live: live, logger: logger)
    }

    /// Serves connections until the listening socket closes (after ``drain()``), then waits for
    /// the remaining connections to finish.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { inbound in
                for try await connection in inbound {
                    guard let connection else { continue }
                    if draining.withLock({ $0 }) { connection.drain(message: "the server is shutting down") }
                    // Started on the connection's own loop (where its handlers run): waiting for a
                    // thread of Swift's shared pool first, a busy process left a connection's
                    // requests unserved past their deadlines.
                    group.addTask(executorPreference: connection.servingExecutor) { await connection.run() }
                }
            }
        }
    }

    /// The connections currently open.
    public var connections: [RPCConnection] {
        live.connections.withLock { Array($0.values) }
    }

    /// Connections currently open.
    public var connectionCount: Int {
        live.connections.withLock { $0.count }
    }

    /// Graceful shutdown: stop accepting, send GOAWAY on every connection so in-flight calls
    /// finish and new ones are refused with `UNAVAILABLE`; ``run()`` returns when all are closed.
    public func drain() {
        draining.withLock { $0 = true }
        listener.channel.close(promise: nil)
        for connection in live.connections.withLock({ Array($0.values) }) {
            connection.drain(message: "the server is shutting down")
        }
    }
}

/// The connections a server has open, shared with the accept path.
final class LiveConnections: Sendable {
    let connections = Mutex<[ObjectIdentifier: RPCConnection]>([:])
    /// Connections admitted per certificate fingerprint.
    private let perPeer = Mutex<[String: Int]>([:])

    /// Counts a connection for `fingerprint` unless that certificate is at `limit`.
    /// - Returns: Whether the connection may stay.
    func admit(_ fingerprint: String, limit: Int, slot: PeerSlot) -> Bool {
        perPeer.withLock { counts in
            guard counts[fingerprint, default: 0] < limit else { return false }
            counts[fingerprint, default: 0] += 1
            slot.fingerprint.withLock { $0 = fingerprint }
            return true
        }
    }

    /// Uncounts a closed connection, if it was counted.
    func release(_ slot: PeerSlot) {
        guard let fingerprint = slot.fingerprint.withLock({ $0 }) else { return }
        perPeer.withLock { counts in
            counts[fingerprint, default: 1] -= 1
            if counts[fingerprint] == 0 { counts[fingerprint] = nil }
        }
    }
}

/// The certificate a connection was counted for, once admitted.
final class PeerSlot: Sendable {
    let fingerprint = Mutex<String?>(nil)
}
