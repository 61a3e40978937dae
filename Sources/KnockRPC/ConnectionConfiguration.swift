public import KnockWire

/// The limits and timers of one side of a connection, announced in its HELLO.
public struct ConnectionConfiguration: Sendable {
    /// The largest frame this side accepts (16 KiB … 16 MiB − 1).
    public var maxFrameSize: Int
    /// How many calls the peer may run on this side at once; more get `RESOURCE_EXHAUSTED`.
    public var maxConcurrentCalls: Int
    /// Ping after this much silence and close if the silence goes on as long again; `nil` never.
    public var keepaliveInterval: Duration?
    /// Close with GOAWAY after this long without calls; `nil` never.
    public var idleTimeout: Duration?
    /// How long to wait for the peer's HELLO.
    public var helloTimeout: Duration
    /// How long a graceful drain waits for in-flight calls before ending them.
    public var drainTimeout: Duration
    /// The implementation name in HELLO.
    public var agent: String
    /// Whether handlers run on the connection's event loop (fast: no thread hop per call) or
    /// on the global concurrent executor (better for handlers that compute for long). Handlers
    /// must never block either way.
    public var handlersOnEventLoop: Bool
    /// Whether this side offers the extension `knock.unary-end-ok` (PROTOCOL.md §4.7). With both
    /// sides offering it, a unary call that succeeds is answered by one frame instead of two.
    /// Off only to act as a peer without it (tests of the plain form).
    public var unaryEndOK: Bool

    /// Creates a configuration; the defaults are knock-host's.
    /// - Parameters:
    ///   - maxFrameSize: Largest frame accepted (default 4 MiB).
    ///   - maxConcurrentCalls: Concurrent peer calls served (default 100).
    ///   - keepaliveInterval: Keepalive ping interval (default 30 s).
    ///   - idleTimeout: Idle close (default none).
    ///   - helloTimeout: HELLO wait (default 10 s).
    ///   - drainTimeout: Drain wait (default 30 s).
    ///   - agent: Implementation name.
    ///   - handlersOnEventLoop: Run handlers on the connection's event loop (default).
    ///   - unaryEndOK: Offer `knock.unary-end-ok` (default).
    public init(
        maxFrameSize: Int = WireLimits.defaultMaxFrameSize,
        maxConcurrentCalls: Int = WireLimits.defaultMaxConcurrentCalls,
        keepaliveInterval: Duration? = .seconds(30),
        idleTimeout: Duration? = nil,
        helloTimeout: Duration = .seconds(10),
        drainTimeout: Duration = .seconds(30),
        agent: String = "knock-swift/1",
        handlersOnEventLoop: Bool = true,
        unaryEndOK: Bool = true
    ) {
        self.maxFrameSize = min(max(maxFrameSize, WireLimits.minimumMaxFrameSize), WireLimits.maximumMaxFrameSize)
        self.maxConcurrentCalls = max(1, maxConcurrentCalls)
        self.keepaliveInterval = keepaliveInterval
        self.idleTimeout = idleTimeout
        self.helloTimeout = helloTimeout
        self.drainTimeout = drainTimeout
        self.agent = agent
        self.handlersOnEventLoop = handlersOnEventLoop
        self.unaryEndOK = unaryEndOK
    }

    /// The HELLO announcing this configuration.
    public var hello: WireHello {
        var hello = WireHello.knockDefault(
            maxFrameSize: maxFrameSize,
            maxConcurrentCalls: maxConcurrentCalls,
            keepaliveIntervalMS: keepaliveInterval.map { UInt32(clamping: $0.milliseconds) } ?? 0,
            idleTimeoutMS: idleTimeout.map { UInt32(clamping: $0.milliseconds) } ?? 0,
            agent: agent
        )
        if unaryEndOK { hello.extensions.append(.unaryEndOK) }
        return hello
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }

    /// Whole microseconds, rounded up so a tiny positive timeout stays positive.
    var microsecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        let micro = attoseconds / 1_000_000_000_000
        let rest = attoseconds % 1_000_000_000_000
        return seconds * 1_000_000 + micro + (rest > 0 ? 1 : 0)
    }
}
