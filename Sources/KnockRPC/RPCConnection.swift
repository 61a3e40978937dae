public import KnockTLS
public import KnockWire
import Logging
public import NIOCore
import SwiftProtobuf
import Synchronization

/// One Knock connection: many concurrent calls in both directions over one byte stream.
///
/// Either side may call (``call(_:_:options:)``, ``stream(_:_:options:body:)``) and serve
/// (``run()`` runs the handlers of the router it was created with). Obtain one from
/// ``RPCServer`` (accepted connections), ``connect(to:port:tls:configuration:router:interceptors:group:logger:)``
/// (dialing), or ``inProcessPair(server:client:)`` (a linked-in module or a test).
public final class RPCConnection: Sendable {
    /// The connection's channel (TCP with TLS, or one end of an in-process socket pair).
    public let channel: any Channel
    /// This side's role: the dialer uses odd call ids, the acceptor even ones.
    public let role: ConnectionRole
    let state: Mutex<ConnectionStateMachine>
    /// The key of the next call this side starts (keys are local; call ids are assigned when a
    /// call is sent).
    private let nextKey = Atomic<UInt64>(1)
    let router: RPCRouter?
    let interceptors: [any ServerInterceptor]
    let logger: Logger
    let configuration: ConnectionConfiguration
    private let peerIdentity: Mutex<PeerIdentity?>
    /// Wakes the serving loop when requests arrive (they wait in the state machine).
    private let requests: AsyncStream<Void>
    private let requestSink: AsyncStream<Void>.Continuation
    private let readyPromise: EventLoopPromise<Void>
    /// Decides, once the peer's certificate is known, whether the connection may stay (the
    /// server's limit per certificate); `nil` admits every peer.
    private let admitPeer: (@Sendable (PeerIdentity) -> Bool)?
    /// Runs tasks on this connection's event loop: the handlers (when
    /// ``ConnectionConfiguration/handlersOnEventLoop`` is set), and any caller that wants its
    /// calls to skip the thread hop (`withTaskExecutorPreference(connection.taskExecutor)`).
    public let taskExecutor: EventLoopTaskExecutor

    init(
        channel: any Channel,
        role: ConnectionRole,
        configuration: ConnectionConfiguration,
        router: RPCRouter?,
        interceptors: [any ServerInterceptor],
        peer: PeerIdentity?,
        admitPeer: (@Sendable (PeerIdentity) -> Bool)? = nil,
        logger: Logger
    ) {
        self.admitPeer = admitPeer
        self.channel = channel
        self.role = role
        self.configuration = configuration
        self.router = router
        self.interceptors = interceptors
        self.logger = logger
        self.peerIdentity = Mutex(peer)
        let serves = !(router?.isEmpty ?? true)
        self.state = Mutex(ConnectionStateMachine(role: role, configuration: configuration, serves: serves))
        (requests, requestSink) = AsyncStream.makeStream(of: Void.self)
        readyPromise = channel.eventLoop.makePromise(of: Void.self)
        taskExecutor = EventLoopTaskExecutor(eventLoop: channel.eventLoop)
    }

    // MARK: Identity and state

    /// The peer's identity from its certificate, once the TLS handshake is done (or as given to
    /// an in-process connection).
    public var peer: PeerIdentity? {
        peerIdentity.withLock { $0 }
    }

    func setPeer(_ peer: PeerIdentity) {
        peerIdentity.withLock { $0 = peer }
        if let admitPeer, !admitPeer(peer) {
            logger.warning("connection refused: too many from one certificate", metadata: ["subject": "\(peer.subject)"])
            perform(state.withLock { $0.connectionError(.enhanceYourCalm, "too many connections with this certificate") })
        }
    }

    /// The peer's HELLO, once received.
    public var peerHello: WireHello? {
        state.withLock { $0.peerHello }
    }

    /// Calls open in either direction, plus calls waiting for a slot.
    public var openCalls: Int {
        state.withLock { $0.openCalls }
    }

    /// Resolves when both HELLOs are exchanged; fails if the connection closes first.
    public func waitUntilReady() async throws {
        do {
            try await readyPromise.futureResult.get()
        } catch {
            throw RPCError(wrapping: error)
        }
    }

    /// Completes when the connection's channel has closed.
    public var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    // MARK: Calling the peer

    /// Calls a unary method on the peer.
    /// - Parameters:
    ///   - method: The method.
    ///   - request: The request message.
    ///   - options: Deadline, metadata, idempotency key.
    /// - Returns: The response.
    /// - Throws: ``RPCError`` with the peer's status, or `DEADLINE_EXCEEDED`, `CANCELLED` (the
    ///   task was cancelled), `UNAVAILABLE` (the connection closed or is draining).
    ///
    /// Where the calling task runs decides the cost of a small call. On Swift's global
    /// executor the request is handed to the connection's event-loop thread and the response
    /// back to a pool thread, which often has to be woken: for many small calls in flight that
    /// costs more than the call itself. A task that makes many calls runs cheapest on the
    /// connection's loop: `group.addTask(executorPreference: connection.taskExecutor) { … }`
    /// (it must not block there).
    public func call<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        options: CallOptions = CallOptions()
    ) async throws -> Response {
        try await call(method, serialized: try request.serializedByteBuffer(), options: options)
    }

    /// Calls a unary method with a request already serialized: the same request sent to many
    /// peers is serialized once.
    /// - Parameters:
    ///   - method: The method.
    ///   - request: The serialized request (a `Request`).
    ///   - options: Deadline, metadata, idempotency key.
    /// - Returns: The response.
    /// - Throws: ``RPCError`` as ``call(_:_:options:)``.
    public func call<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        serialized request: ByteBuffer,
        options: CallOptions = CallOptions()
    ) async throws -> Response {
        let response = try await callRaw(method.name, request, options: options)
        do {
            return try Response(serializedBytes: response.readableBytesSpan)
        } catch {
            throw RPCError(code: .internal, message: "\(method.name): the response is not a valid \(Response.protoMessageName): \(error)")
        }
    }

    /// Calls a unary method with a serialized request (generic clients, forwarding).
    /// - Parameters:
    ///   - method: The full method name.
    ///   - request: The serialized request.
    ///   - options: Deadline, metadata, idempotency key.
    /// - Returns: The serialized response.
    /// - Throws: ``RPCError`` as for ``call(_:_:options:)``.
    ///
    /// Runs on the caller's executor (`nonisolated(nonsending)`): it only takes a lock and waits,
    /// and the executor check a hop to the generic executor costs was a noticeable part of a call.
    public nonisolated(nonsending) func callRaw(_ method: String, _ request: ByteBuffer, options: CallOptions = CallOptions()) async throws -> ByteBuffer {
        let header = try makeHeader(method, options)
        let deadline = options.timeout.map { NIODeadline.now() + TimeAmount($0) }
        let key = nextKey.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<ByteBuffer, any Error>) in
                let timer = deadline.map { scheduleExpiry(key: key, at: $0) }
                perform(state.withLock {
                    // A cancellation before this point finds no call to abandon; one after it
                    // waits for the lock and does.
                    $0.startCall(key: key, cancelled: Task.isCancelled, header: header, message: request, kind: .unary,
                                 deadline: deadline, window: 0, continuation: continuation, timer: timer)
                })
            }
        } onCancel: {
            perform(state.withLock { $0.abandon(key: key, error: RPCError(code: .cancelled, message: "the call was cancelled")) })
        }
    }

    /// Calls a server-streaming method and hands the responses to `body`. Leaving `body` early
    /// cancels the call.
    /// - Parameters:
    ///   - method: The method (kind `.serverStream`).
    ///   - request: The request message.
    ///   - options: Deadline, metadata, the credit window.
    ///   - body: Consumes the responses.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws; iterating the responses throws ``RPCError``.
    public func stream<Request, Response, Result: Sendable>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        options: CallOptions = CallOptions(),
        body: (ResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        try await streamRaw(method.name, try request.serializedByteBuffer(), options: options) { raw in
            try await body(ResponseStream(raw: raw, method: method.name))
        }
    }

    /// Calls a server-streaming method with a serialized request.
    /// - Parameters:
    ///   - method: The full method name.
    ///   - request: The serialized request.
    ///   - options: Deadline, metadata, the credit window.
    ///   - body: Consumes the serialized responses.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    public func streamRaw<Result: Sendable>(
        _ method: String,
        _ request: ByteBuffer,
        options: CallOptions = CallOptions(),
        body: (RawResponseStream) async throws -> Result
    ) async throws -> Result {
        let header = try makeHeader(method, options)
        let deadline = options.timeout.map { NIODeadline.now() + TimeAmount($0) }
        let key = nextKey.wrappingAdd(1, ordering: .relaxed).oldValue
        let timer = deadline.map { scheduleExpiry(key: key, at: $0) }
        perform(state.withLock {
            $0.startCall(key: key, header: header, message: request, kind: .serverStream, deadline: deadline,
                         window: options.streamWindow, continuation: nil, timer: timer)
        })
        defer {
            timer?.cancel()
            perform(state.withLock { $0.releaseStream(key: key) })
        }
        return try await body(RawResponseStream(connection: self, key: key))
    }

    func nextStreamMessage(key: UInt64) async throws -> ByteBuffer? {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (waiter: UnsafeContinuation<ByteBuffer?, any Error>) in
                perform(state.withLock { $0.nextStreamMessage(key: key, waiter: waiter) })
            }
        } onCancel: {
            perform(state.withLock { $0.abandon(key: key, error: RPCError(code: .cancelled, message: "the call was cancelled")) })
        }
    }

    private func makeHeader(_ method: String, _ options: CallOptions) throws(RPCError) -> WireRequestHeader {
        var header = WireRequestHeader()
        header.method = method
        header.metadata = options.metadata.wireEntries
        if let key = options.idempotencyKey { header.idempotencyKey = key }
        do {
            try header.validate()
        } catch {
            throw RPCError(code: .invalidArgument, message: error.message)
        }
        return header
    }

    private func scheduleExpiry(key: UInt64, at deadline: NIODeadline) -> Scheduled<Void> {
        channel.eventLoop.scheduleTask(deadline: deadline) { [self] in
            perform(state.withLock { $0.abandon(key: key, error: RPCError(code: .deadlineExceeded, message: "the deadline passed")) })
        }
    }

    // MARK: Serving the peer

    /// Where ``run()`` serves: the connection's loop when handlers run there, else no
    /// preference. Start it there (`group.addTask(executorPreference: connection.servingExecutor)
    /// { await connection.run() }`), so that serving never first waits for a thread of Swift's
    /// shared pool, which a busy process may hold for seconds.
    public var servingExecutor: (any TaskExecutor)? {
        configuration.handlersOnEventLoop ? taskExecutor : nil
    }

    /// Serves the peer's calls with the router this connection was created with, until the
    /// connection closes. Handlers run in child tasks; a CANCEL, a passed deadline or a lost
    /// connection cancels the handler of that call.
    public func run() async {
        if configuration.handlersOnEventLoop {
            await withTaskExecutorPreference(taskExecutor) { await serveAll() }
        } else {
            await withTaskExecutorPreference(nil) { await serveAll() }
        }
    }

    /// Starts serving tasks while requests wait.
    ///
    /// On the connection's event loop a serving task starts here and now (an immediate task)
    /// and runs the waiting handlers one after another, so a read burst of handlers that answer
    /// without suspending costs one task, not one each. When a handler suspends, control comes
    /// back here and, if requests still wait, another task takes them: a slow handler never
    /// holds up the others. Elsewhere each request gets a task of its own.
    private func serveAll() async {
        await withDiscardingTaskGroup { group in
            for await _ in requests {
                if configuration.handlersOnEventLoop, #available(macOS 26, *) {
                    // Each serving task takes at least one request before it can suspend, so
                    // this loop ends.
                    while state.withLock({ $0.queuedRequests > 0 }) {
                        group.addImmediateTask { await self.serveQueued(limit: .max) }
                    }
                } else {
                    let waiting = state.withLock { $0.queuedRequests }
                    for _ in 0..<waiting {
                        group.addTask { await self.serveQueued(limit: 1) }
                    }
                }
            }
        }
    }

    /// Serves waiting requests, at most `limit` of them, until none waits or this task is
    /// cancelled (it was cancelled for the call it served, or the whole serving loop was).
    private nonisolated(nonsending) func serveQueued(limit: Int) async {
        let cancellation = HandlerCancellation()
        cancellation.adoptCurrentTask()
        defer { cancellation.release() }
        var served = 0
        // The route of the method served last: a serving task mostly serves runs of calls to
        // one method, and comparing the name costs less than hashing it.
        var lastRoute: (method: String, route: RPCRouter.RawRoute)?
        while served < limit, let request = state.withLock({ $0.nextRequest(for: cancellation) }) {
            await handle(request, lastRoute: &lastRoute)
            cancellation.end()
            served += 1
            if Task.isCancelled { break }
        }
    }

    private nonisolated(nonsending) func handle(_ request: IncomingRequest, lastRoute: inout (method: String, route: RPCRouter.RawRoute)?) async {
        let method = request.header.method
        var failure: RPCError?
        do {
            let route: RPCRouter.RawRoute
            if let last = lastRoute, last.method == method {
                route = last.route
            } else if let found = router?.route(for: method) {
                route = found
                lastRoute = (method, found)
            } else {
                throw RPCError(code: .unimplemented, message: "unknown method \(method)")
            }
            if let kind = route.kind, kind != request.kind {
                throw RPCError(code: .unimplemented, message: "\(method) is a \(kind.rawValue) method, called as \(request.kind.rawValue)")
            }
            let deadline: ContinuousClock.Instant? = request.deadline.map { deadline in
                .now + .nanoseconds((deadline - NIODeadline.now()).nanoseconds)
            }
            let context = ServerContext(
                method: method,
                metadata: Metadata(request.header.metadata),
                deadline: deadline,
                idempotencyKey: request.header.idempotencyKey.isEmpty ? nil : request.header.idempotencyKey,
                connection: self
            )
            let writer = RawResponseWriter(connection: self, callID: request.callID, kind: request.kind)
            let cache = request.kind == .unary ? router?.idempotency : nil
            if interceptors.isEmpty, cache == nil || context.idempotencyKey == nil {
                // Nothing around the handler: call it without making the closures below.
                try await route.handler(request.message, context, writer)
            } else if let cache, let key = context.idempotencyKey {
                let run: @Sendable (ServerContext) async throws -> Void = { context in
                    try await route.handler(request.message, context, writer)
                }
                try await intercept(context, at: 0) { context in
                    try await self.runOnce(cache: cache, key: key, request: request, context: context, run: run)
                }
            } else {
                try await intercept(context, at: 0) { context in
                    try await route.handler(request.message, context, writer)
                }
            }
        } catch {
            failure = RPCError(wrapping: error)
            if failure?.code == .unknown {
                logger.error("handler failed", metadata: ["method": "\(method)", "error": "\(error)"])
            }
        }
        perform(state.withLock { $0.finishIncoming(callID: request.callID, error: failure, byHandler: true) })
    }

    /// Runs a keyed unary call at most once per caller, method and key (PROTOCOL.md §4.5).
    private func runOnce(
        cache: IdempotencyCache,
        key: String,
        request: IncomingRequest,
        context: ServerContext,
        run: @Sendable (ServerContext) async throws -> Void
    ) async throws {
        let caller = context.peer?.sha256Fingerprint ?? "in-process"
        let cacheKey = IdempotencyCache.Key(caller: caller, method: request.header.method, key: key)
        switch cache.begin(cacheKey, request: request.message) {
        case .refuse(let error):
            throw error
        case .replay(let outcome):
            setUnaryResponse(callID: request.callID, try outcome.get())
        case .run:
            do {
                try await run(context)
                let response = state.withLock { $0.unaryResponse(callID: request.callID) }
                guard let response else { throw RPCError(code: .cancelled, message: "the call ended before it answered") }
                cache.complete(cacheKey, request: request.message, outcome: .success(response))
            } catch {
                cache.complete(cacheKey, request: request.message, outcome: .failure(RPCError(wrapping: error)))
                throw error
            }
        }
    }

    private func intercept(
        _ context: ServerContext,
        at index: Int,
        handler: @escaping @Sendable (ServerContext) async throws -> Void
    ) async throws {
        guard index < interceptors.count else {
            try await handler(context)
            return
        }
        try await interceptors[index].intercept(context: context) { context in
            try await self.intercept(context, at: index + 1, handler: handler)
        }
    }

    func setUnaryResponse(callID: UInt32, _ message: ByteBuffer) {
        state.withLock { $0.setUnaryResponse(callID: callID, message) }
    }

    func writeStreamMessage(callID: UInt32, _ message: ByteBuffer) async throws {
        try await withUnsafeThrowingContinuation { (writer: UnsafeContinuation<Void, any Error>) in
            perform(state.withLock { $0.writeStreamMessage(callID: callID, message, writer: writer) })
        }
    }

    // MARK: Drain and close

    /// Starts a graceful drain: GOAWAY, in-flight calls in both directions finish, new ones are
    /// refused with `UNAVAILABLE`, then the connection closes. Calls still open after the
    /// configured drain timeout are ended and the connection closed.
    /// - Parameter message: The reason, sent to the peer.
    public func drain(message: String = "draining") {
        perform(state.withLock { $0.beginDrain(message: message) })
        let timeout = TimeAmount(configuration.drainTimeout)
        channel.eventLoop.scheduleTask(in: timeout) { [self] in
            if channel.isActive {
                logger.warning("drain timed out; closing with calls in flight", metadata: ["open": "\(openCalls)"])
                perform(state.withLock { $0.connectionError(.noError, "drain timed out") })
            }
        }
    }

    /// Closes the connection now; every open call fails with `UNAVAILABLE`.
    public func close() {
        perform(state.withLock { $0.closed(reason: RPCError(code: .unavailable, message: "the connection was closed locally")) })
        channel.close(promise: nil)
    }

    // MARK: Events from the channel

    func channelActive() {
        channel.eventLoop.execute { self.flushNow() }
    }

    /// Wakes the serving loop if requests arrived since the last call.
    func dispatchPending() {
        if state.withLock({ $0.takeDispatchSignal() }) { requestSink.yield() }
    }

    /// Handles the frames of one read burst under one lock.
    func received(_ frames: [Frame]) {
        perform(state.withLock { $0.receive(frames) })
    }

    func failed(_ error: any Error) {
        if let wire = error as? WireError {
            logger.debug("protocol error from peer", metadata: ["error": "\(wire)"])
            perform(state.withLock { $0.connectionError(wire.code.connectionErrorCode, wire.message) })
        } else {
            let reason = RPCError(code: .unavailable, message: "the connection failed: \(error)", cause: SendableErrorBox(error))
            perform(state.withLock { $0.closed(reason: reason) })
            readyPromise.fail(reason)
            channel.close(promise: nil)
        }
    }

    /// The connection's handler left its channel: whoever waits for the connection to be ready
    /// learns it never will be (nothing happens if it already knows).
    func removedFromPipeline() {
        readyPromise.fail(RPCError(code: .unavailable, message: "the connection closed before it was ready"))
    }

    func channelInactive() {
        let reason = RPCError(code: .unavailable, message: "the connection closed")
        perform(state.withLock { $0.closed(reason: reason) })
        readyPromise.fail(reason)
    }

    // MARK: Carrying out effects

    func perform(_ effects: consuming ConnectionStateMachine.Effects) {
        var effects = effects
        effects.timers.drain { $0.cancel() }
        if effects.dispatch {
            // Requests are handed to the serving loop once per read burst (channelReadComplete).
            if !channel.eventLoop.inEventLoop { dispatchPending() }
        }
        effects.timeoutIncoming.drain { incoming in
            let callID = incoming.callID
            let timer = channel.eventLoop.scheduleTask(deadline: incoming.deadline) { [self] in
                perform(state.withLock { $0.incomingDeadlinePassed(callID: callID) })
            }
            perform(state.withLock { $0.attachIncomingTimer(callID: callID, timer) })
        }
        effects.unary.drain { $0.0.resume(with: $0.1) }
        effects.stream.drain { $0.0.resume(with: $0.1) }
        effects.writers.drain { $0.0.resume(with: $0.1) }
        effects.cancellations.drain { $0.0.cancel(callID: $0.callID) }
        if effects.ready { readyPromise.succeed() }
        if effects.finishRequests {
            dispatchPending()
            requestSink.finish()
        }
        if let reason = effects.close {
            channel.eventLoop.execute { self.flushAndClose(reason) }
        } else if effects.flushNow, channel.eventLoop.inEventLoop {
            flushNow()
        } else if effects.flush || effects.flushNow {
            channel.eventLoop.execute { self.flushNow() }
        }
    }

    private func flushNow() {
        if let bytes = state.withLock({ $0.takeOutput() }) {
            channel.writeAndFlush(bytes, promise: nil)
        }
    }

    private func flushAndClose(_ reason: ConnectionStateMachine.CloseReason) {
        if case .error(let code, let message) = reason {
            logger.info("closing connection", metadata: ["code": "\(code)", "reason": "\(message)"])
        }
        let bytes = state.withLock { $0.takeOutput() }
        let channel = self.channel
        guard let bytes else {
            channel.close(promise: nil)
            return
        }
        channel.writeAndFlush(bytes).whenComplete { _ in channel.close(promise: nil) }
    }
}
