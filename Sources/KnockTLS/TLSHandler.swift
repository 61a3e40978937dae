public import NIOCore

/// A channel handler that runs TLS through OpenSSL: ciphertext ByteBuffers in from the socket
/// side, plaintext ByteBuffers out to the handlers after it, and the reverse for writes.
///
/// Add it first in a TCP channel's pipeline, one per connection, from a shared ``TLSContext``:
///
/// ```swift
/// try channel.pipeline.syncOperations.addHandler(try TLSHandler(context: tlsContext))
/// ```
///
/// What the handlers after it see:
/// - ``TLSEvent/handshakeCompleted(peer:applicationProtocol:)`` as an inbound user event once the
///   peer's certificate is accepted and `knock/1` negotiated; afterwards ``peerIdentity``.
/// - Plaintext writes made before that are held and sent once the handshake is done.
/// - A ``TLSError`` through `errorCaught` when anything fails; the handler then closes the
///   connection itself.
/// - When the peer sends close_notify: `ChannelEvent.inputClosed` if the channel allows remote
///   half-closure, otherwise the connection closes.
///
/// Writes are gathered until `flush` and sealed into full records (up to 16 KiB of plaintext
/// each), and the ciphertext goes to the socket in one write. Reads reach the socket only when
/// the handlers after it ask (`read()`), except during the handshake.
public final class TLSHandler: ChannelDuplexHandler {
    /// Ciphertext from the socket.
    public typealias InboundIn = ByteBuffer
    /// Plaintext for the handlers after this one.
    public typealias InboundOut = ByteBuffer
    /// Plaintext from the handlers after this one.
    public typealias OutboundIn = ByteBuffer
    /// Ciphertext for the socket.
    public typealias OutboundOut = ByteBuffer

    /// The largest plaintext a TLS record carries; small writes are gathered up to this size.
    static let recordPayloadSize = 16 * 1024
    /// Large writes are sealed in slices of this size, so the outgoing BIO stays small.
    static let largeWriteSliceSize = 64 * 1024
    /// While a large flush is sealed, ciphertext goes to the channel whenever this much waits.
    static let ciphertextBatchSize = 256 * 1024

    private enum State {
        /// Added to a channel that is not active yet.
        case idle
        case handshaking
        case established
        /// Closing: the close_notify or alert is being written, then the socket closes.
        case closing
        /// The channel is inactive.
        case closed
    }

    private struct PendingWrite {
        var plaintext: ByteBuffer
        var promise: EventLoopPromise<Void>?
    }

    private let connection: TLSConnection
    private var state = State.idle
    /// Plaintext writes not yet sealed; the first `flushedWriteCount` have been flushed.
    private var pendingWrites = CircularBuffer<PendingWrite>()
    private var flushedWriteCount = 0
    /// Where small writes are gathered into one record; kept between flushes.
    private var recordScratch: ByteBuffer?
    private var handshakeTimer: Scheduled<Void>?
    private var closeTimer: Scheduled<Void>?
    /// Completed when the socket closes after `.closing`.
    private var closePromise: EventLoopPromise<Void>?
    /// This side sent close_notify (or gave up writing after an error).
    private var outputClosed = false
    /// The peer sent close_notify.
    private var inputClosed = false
    /// The handlers after this one asked for a read that has not produced plaintext yet.
    private var readRequested = false
    /// Plaintext went up since the last `channelReadComplete`.
    private var deliveredPlaintext = false
    /// A close_notify arrived in the current read batch; acted on in `channelReadComplete`.
    private var closeNotifyUndelivered = false
    /// `close(mode: .output)` asked for before the handshake completed.
    private var halfCloseAfterHandshake: HalfClose?

    private struct HalfClose {
        var promise: EventLoopPromise<Void>?
    }

    /// The peer's identity, once the handshake has completed.
    public private(set) var peerIdentity: PeerIdentity?
    /// The negotiated ALPN protocol (`knock/1`), once the handshake has completed.
    public private(set) var applicationProtocol: String?

    /// Creates the handler for one connection.
    /// - Parameters:
    ///   - context: The shared TLS context; its role decides whether this side accepts or dials.
    ///   - serverName: For a client, the name the server's certificate must carry if not the
    ///     configuration's ``TLSConfiguration/serverName``. Ignored by a server.
    /// - Throws: `TLSError` with code `invalidConfiguration` when OpenSSL cannot make the
    ///   connection's `SSL` or a client has no server name.
    public init(context: TLSContext, serverName: String? = nil) throws {
        self.connection = try TLSConnection(context: context, serverName: serverName)
    }

    private var configuration: TLSConfiguration {
        self.connection.context.configuration
    }

    // MARK: Lifecycle

    /// Starts the handshake if the channel is already active.
    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            self.startHandshake(context: context)
        }
    }

    /// Cancels the timers and fails writes still held.
    public func handlerRemoved(context: ChannelHandlerContext) {
        self.cancelTimers()
        self.failPendingWrites(ChannelError.ioOnClosedChannel)
    }

    /// Starts the handshake.
    public func channelActive(context: ChannelHandlerContext) {
        self.startHandshake(context: context)
        context.fireChannelActive()
    }

    /// Reports a connection that ended without TLS's goodbye as ``TLSError/Code/unexpectedEOF``.
    public func channelInactive(context: ChannelHandlerContext) {
        let previous = self.state
        self.state = .closed
        self.cancelTimers()
        self.failPendingWrites(ChannelError.ioOnClosedChannel)
        self.failHalfClose(ChannelError.ioOnClosedChannel)
        if let closePromise = self.closePromise {
            self.closePromise = nil
            closePromise.succeed()
        }
        switch previous {
        case .idle, .handshaking:
            context.fireErrorCaught(
                TLSError(code: .unexpectedEOF, message: "the connection closed during the TLS handshake")
            )
        case .established where !self.inputClosed:
            context.fireErrorCaught(
                TLSError(code: .unexpectedEOF, message: "the peer closed the connection without a TLS close_notify")
            )
        case .established, .closing, .closed:
            break
        }
        context.fireChannelInactive()
    }

    // MARK: Handshake

    private func startHandshake(context: ChannelHandlerContext) {
        guard case .idle = self.state else { return }
        self.state = .handshaking
        let timeout = self.configuration.handshakeTimeout
        self.handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.fail(
                context: context,
                TLSError(code: .handshakeTimeout, message: "the TLS handshake did not finish within \(timeout.seconds) s")
            )
        }
        self.advanceHandshake(context: context)
        // The handshake needs the peer's messages whatever the handlers after this one want.
        context.read()
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        switch self.connection.handshake() {
        case .needsMoreInput:
            self.writeCiphertext(context: context)
        case .failed(let error):
            self.fail(context: context, error)
        case .complete:
            self.writeCiphertext(context: context)
            self.completeHandshake(context: context)
        }
    }

    private func completeHandshake(context: ChannelHandlerContext) {
        guard let negotiated = self.connection.negotiatedApplicationProtocol,
            self.configuration.applicationProtocols.contains(negotiated)
        else {
            self.connection.shutdown()
            self.fail(
                context: context,
                TLSError(
                    code: .noApplicationProtocol,
                    message: "the server selected no application protocol; Knock speaks "
                        + self.configuration.applicationProtocols.joined(separator: ", ")
                )
            )
            return
        }
        let peer: PeerIdentity
        do {
            peer = try self.connection.peerIdentity()
        } catch {
            self.connection.shutdown()
            self.fail(context: context, error)
            return
        }
        self.handshakeTimer?.cancel()
        self.handshakeTimer = nil
        self.state = .established
        self.peerIdentity = peer
        self.applicationProtocol = negotiated
        context.fireUserInboundEventTriggered(TLSEvent.handshakeCompleted(peer: peer, applicationProtocol: negotiated))

        // Writes held during the handshake, a half-close asked for during it, then data that
        // arrived with the last handshake flight.
        guard case .established = self.state else { return }
        self.sealFlushedWrites(context: context)
        if let halfClose = self.halfCloseAfterHandshake {
            self.halfCloseAfterHandshake = nil
            self.closeOutput(context: context, promise: halfClose.promise)
        }
        guard case .established = self.state else { return }
        self.readPlaintext(context: context)
    }

    // MARK: Inbound

    /// Decrypts ciphertext and passes the plaintext on.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let ciphertext = Self.unwrapInboundIn(data)
        if case .idle = self.state {
            self.startHandshake(context: context)
        }
        switch self.state {
        case .handshaking:
            self.connection.receive(ciphertext)
            self.advanceHandshake(context: context)
        case .established:
            self.connection.receive(ciphertext)
            self.readPlaintext(context: context)
        case .idle, .closing, .closed:
            // A connection being closed reads nothing more.
            break
        }
    }

    private func readPlaintext(context: ChannelHandlerContext) {
        guard !self.inputClosed else { return }
        var plaintext = context.channel.allocator.buffer(capacity: 0)
        let outcome = self.connection.readPlaintext(into: &plaintext)
        if case .failed = outcome {
            // `fail` writes the alert OpenSSL queued.
        } else {
            // TLS 1.3 post-handshake messages (key updates, tickets) answered while reading.
            self.writeCiphertext(context: context)
        }
        if plaintext.readableBytes > 0 {
            self.deliveredPlaintext = true
            self.readRequested = false
            context.fireChannelRead(Self.wrapInboundOut(plaintext))
        }
        switch outcome {
        case .needsMoreInput:
            break
        case .closeNotify:
            self.inputClosed = true
            self.closeNotifyUndelivered = true
        case .failed(let error):
            self.fail(context: context, error)
        }
    }

    /// Acts on a close_notify after `channelReadComplete` has gone up, as TCP's end of input
    /// comes after the last read batch: handlers flush what they wrote for that batch first.
    private func deliverCloseNotify(context: ChannelHandlerContext) {
        guard case .established = self.state else { return }
        let halfClosureAllowed = (try? context.channel.syncOptions?.getOption(ChannelOptions.allowRemoteHalfClosure)) ?? false
        if halfClosureAllowed {
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        } else {
            self.close(context: context, mode: .all, promise: nil)
        }
    }

    /// Passes `channelReadComplete` on, and reads again when a read produced no plaintext (a
    /// handshake message, a partial record) but the handlers after this one are waiting for some.
    public func channelReadComplete(context: ChannelHandlerContext) {
        let delivered = self.deliveredPlaintext
        self.deliveredPlaintext = false
        context.fireChannelReadComplete()
        if self.closeNotifyUndelivered {
            self.closeNotifyUndelivered = false
            self.deliverCloseNotify(context: context)
            return
        }
        switch self.state {
        case .handshaking:
            context.read()
        case .established where !delivered && self.readRequested && !self.inputClosed:
            context.read()
        default:
            break
        }
    }

    /// Treats the end of TCP input without a close_notify as ``TLSError/Code/unexpectedEOF``; swallows
    /// the one that follows a close_notify (already reported).
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let channelEvent = event as? ChannelEvent, channelEvent == .inputClosed else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard !self.inputClosed else { return }
        switch self.state {
        case .idle, .handshaking:
            self.fail(
                context: context,
                TLSError(code: .unexpectedEOF, message: "the peer closed its side during the TLS handshake")
            )
        case .established:
            self.fail(
                context: context,
                TLSError(code: .unexpectedEOF, message: "the peer closed its side without a TLS close_notify")
            )
        case .closing, .closed:
            break
        }
    }

    // MARK: Outbound

    /// Forwards a read request; remembers that the handlers after this one wait for plaintext.
    public func read(context: ChannelHandlerContext) {
        self.readRequested = true
        context.read()
    }

    /// Holds plaintext until `flush`.
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.state {
        case .idle, .handshaking, .established:
            guard !self.outputClosed else {
                promise?.fail(ChannelError.outputClosed)
                return
            }
            self.pendingWrites.append(PendingWrite(plaintext: Self.unwrapOutboundIn(data), promise: promise))
        case .closing, .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    /// Seals the held writes into records and sends them; before the handshake completes, marks
    /// them to be sent once it has.
    public func flush(context: ChannelHandlerContext) {
        self.flushedWriteCount = self.pendingWrites.count
        if case .established = self.state {
            self.sealFlushedWrites(context: context)
        }
    }

    /// `.all` sends close_notify, then closes the socket once it is written (or after
    /// ``TLSConfiguration/closeTimeout``). `.output` sends close_notify and closes the socket's
    /// output; reading goes on.
    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch mode {
        case .all:
            self.closeAll(context: context, promise: promise)
        case .output:
            switch self.state {
            case .idle, .handshaking, .established:
                guard !self.outputClosed else {
                    promise?.fail(ChannelError.outputClosed)
                    return
                }
                if case .established = self.state {
                    self.closeOutput(context: context, promise: promise)
                } else {
                    // Like the writes before it, the half-close waits for the handshake.
                    self.outputClosed = true
                    self.halfCloseAfterHandshake = HalfClose(promise: promise)
                }
            case .closing, .closed:
                context.close(mode: .output, promise: promise)
            }
        case .input:
            context.close(mode: .input, promise: promise)
        }
    }

    /// Sends close_notify after the flushed writes, then shuts the socket's output (NIO shuts
    /// it once the writes queued before are written).
    private func closeOutput(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        // Flushed writes are already sealed; unflushed ones are dropped as a socket drops them.
        self.failPendingWrites(ChannelError.outputClosed)
        self.outputClosed = true
        self.connection.shutdown()
        self.writeCiphertext(context: context)
        context.close(mode: .output, promise: promise)
    }

    private func closeAll(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        switch self.state {
        case .idle, .handshaking:
            self.state = .closing
            self.cancelTimers()
            self.failPendingWrites(ChannelError.ioOnClosedChannel)
            self.failHalfClose(ChannelError.ioOnClosedChannel)
            context.close(mode: .all, promise: promise)
        case .established:
            self.state = .closing
            self.handshakeTimer?.cancel()
            self.failPendingWrites(ChannelError.ioOnClosedChannel)
            if !self.outputClosed {
                self.outputClosed = true
                self.connection.shutdown()
            }
            self.closePromise = promise ?? context.eventLoop.makePromise()
            self.closeAfterWritingCiphertext(context: context)
        case .closing:
            if let promise {
                if let closePromise = self.closePromise {
                    closePromise.futureResult.cascade(to: promise)
                } else {
                    context.close(mode: .all, promise: promise)
                }
            }
        case .closed:
            context.close(mode: .all, promise: promise)
        }
    }

    // MARK: Sealing records

    /// Seals the flushed writes: small ones gathered into full records, large ones in slices;
    /// then writes the ciphertext and flushes once.
    private func sealFlushedWrites(context: ChannelHandlerContext) {
        guard self.flushedWriteCount > 0 else { return }
        var promises: [EventLoopPromise<Void>] = []
        var scratch = self.recordScratch ?? context.channel.allocator.buffer(capacity: Self.recordPayloadSize)
        self.recordScratch = nil
        scratch.clear()
        var failure: TLSError?

        while self.flushedWriteCount > 0, failure == nil {
            let write = self.pendingWrites.removeFirst()
            self.flushedWriteCount -= 1
            if let promise = write.promise {
                promises.append(promise)
            }
            var plaintext = write.plaintext
            if scratch.readableBytes + plaintext.readableBytes <= Self.recordPayloadSize {
                scratch.writeImmutableBuffer(plaintext)
                continue
            }
            if scratch.readableBytes > 0 {
                failure = self.seal(scratch)
                scratch.clear()
            }
            if plaintext.readableBytes < Self.recordPayloadSize {
                scratch.writeImmutableBuffer(plaintext)
                continue
            }
            while failure == nil, let slice = plaintext.readSlice(length: min(plaintext.readableBytes, Self.largeWriteSliceSize)) {
                failure = self.seal(slice)
                if self.connection.pendingCiphertextCount >= Self.ciphertextBatchSize {
                    self.writeCiphertext(context: context, flush: false)
                }
                if plaintext.readableBytes == 0 { break }
            }
        }
        if failure == nil, scratch.readableBytes > 0 {
            failure = self.seal(scratch)
        }
        scratch.clear()
        self.recordScratch = scratch

        if let failure {
            for promise in promises {
                promise.fail(failure)
            }
            self.fail(context: context, failure)
            return
        }
        guard case .established = self.state else {
            // Closed while sealing (a write failed and someone closed): nothing may follow close_notify.
            for promise in promises {
                promise.fail(ChannelError.ioOnClosedChannel)
            }
            return
        }
        var ciphertext = context.channel.allocator.buffer(capacity: self.connection.pendingCiphertextCount)
        self.connection.drainCiphertext(into: &ciphertext)
        var combined: EventLoopPromise<Void>?
        if !promises.isEmpty {
            let promise = context.eventLoop.makePromise(of: Void.self)
            for userPromise in promises {
                promise.futureResult.cascade(to: userPromise)
            }
            combined = promise
        }
        if ciphertext.readableBytes > 0 {
            context.write(Self.wrapOutboundOut(ciphertext), promise: combined)
        } else {
            combined?.succeed()
        }
        context.flush()
    }

    private func seal(_ plaintext: ByteBuffer) -> TLSError? {
        plaintext.withUnsafeReadableBytes { self.connection.write($0) }
    }

    /// Writes whatever ciphertext OpenSSL has produced.
    private func writeCiphertext(context: ChannelHandlerContext, flush: Bool = true) {
        let pending = self.connection.pendingCiphertextCount
        guard pending > 0 else { return }
        var ciphertext = context.channel.allocator.buffer(capacity: pending)
        self.connection.drainCiphertext(into: &ciphertext)
        context.write(Self.wrapOutboundOut(ciphertext), promise: nil)
        if flush {
            context.flush()
        }
    }

    // MARK: Failing and closing

    /// Reports `error`, sends the alert OpenSSL queued (if any) and closes the connection.
    private func fail(context: ChannelHandlerContext, _ error: TLSError) {
        switch self.state {
        case .closed:
            return
        case .closing where self.closePromise == nil:
            // Closing without a close_notify to wait for: the socket is closing already.
            return
        case .idle, .handshaking, .established, .closing:
            break
        }
        self.state = .closing
        self.outputClosed = true
        self.handshakeTimer?.cancel()
        self.handshakeTimer = nil
        self.failPendingWrites(error)
        self.failHalfClose(error)
        if self.closePromise == nil {
            self.closePromise = context.eventLoop.makePromise()
        }
        // A close() from a handler that sees the error joins the close already under way.
        context.fireErrorCaught(error)
        self.closeAfterWritingCiphertext(context: context)
    }

    /// Writes the ciphertext OpenSSL has queued (close_notify, an alert), then closes the socket;
    /// a peer that does not read gets `closeTimeout` before the socket closes anyway.
    private func closeAfterWritingCiphertext(context: ChannelHandlerContext) {
        guard self.closeTimer == nil else { return }
        let pending = self.connection.pendingCiphertextCount
        guard pending > 0 else {
            self.finishClose(context: context)
            return
        }
        var ciphertext = context.channel.allocator.buffer(capacity: pending)
        self.connection.drainCiphertext(into: &ciphertext)
        self.closeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: self.configuration.closeTimeout) {
            self.finishClose(context: context)
        }
        context.writeAndFlush(Self.wrapOutboundOut(ciphertext)).assumeIsolated().whenComplete { _ in
            self.finishClose(context: context)
        }
    }

    private func finishClose(context: ChannelHandlerContext) {
        self.closeTimer?.cancel()
        self.closeTimer = nil
        guard let promise = self.closePromise else { return }
        self.closePromise = nil
        context.close(mode: .all, promise: promise)
    }

    private func failPendingWrites(_ error: any Error) {
        guard !self.pendingWrites.isEmpty else { return }
        let writes = self.pendingWrites
        self.pendingWrites.removeAll()
        self.flushedWriteCount = 0
        for write in writes {
            write.promise?.fail(error)
        }
    }

    private func failHalfClose(_ error: any Error) {
        guard let halfClose = self.halfCloseAfterHandshake else { return }
        self.halfCloseAfterHandshake = nil
        halfClose.promise?.fail(error)
    }

    private func cancelTimers() {
        self.handshakeTimer?.cancel()
        self.handshakeTimer = nil
        self.closeTimer?.cancel()
        self.closeTimer = nil
    }
}

@available(*, unavailable)
extension TLSHandler: Sendable {}

extension TimeAmount {
    /// The amount in seconds, for messages.
    fileprivate var seconds: Double {
        Double(self.nanoseconds) / 1_000_000_000
    }
}
