import KnockTLS
import KnockWire
import NIOCore

/// The last handler of a connection's pipeline: splits the bytes into frames, hands them and
/// the TLS events to the ``RPCConnection``, and runs its timers (HELLO wait, keepalive, idle).
/// Confined to the channel's event loop.
///
/// It runs the ``FrameDecoder`` itself rather than behind a `ByteToMessageHandler`: with one or
/// two frames per call, that handler's per-message work (a pipeline event each, a boxed
/// `NIOAny` each) was a tenth of a caller's time.
final class RPCChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let connection: RPCConnection
    private let decoder: FrameDecoder
    /// The start of a frame whose bytes have not all arrived.
    private var partial: ByteBuffer?
    /// Set after a decoding error: the connection is closing and reads nothing more.
    private var broken = false
    private var lastRead = NIODeadline.now()
    private var pingSentAt: NIODeadline?
    private var timers: [RepeatedTask] = []
    private var helloTimer: Scheduled<Void>?
    /// Frames of the current read burst, handed to the connection together at its end.
    private var inbound: [Frame] = []

    init(connection: RPCConnection, decoder: FrameDecoder) {
        self.connection = connection
        self.decoder = decoder
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard helloTimer == nil else { return }
        connection.channelActive()
        let loop = context.eventLoop
        let connection = self.connection
        helloTimer = loop.scheduleTask(in: TimeAmount(connection.configuration.helloTimeout)) {
            if connection.peerHello == nil {
                connection.perform(connection.state.withLock {
                    $0.connectionError(.timeout, "no HELLO within \(connection.configuration.helloTimeout)")
                })
            }
        }
        let bound = NIOLoopBound(self, eventLoop: loop)
        if let interval = connection.configuration.keepaliveInterval {
            let amount = TimeAmount(interval)
            timers.append(loop.scheduleRepeatedTask(initialDelay: amount, delay: amount) { _ in
                bound.value.keepaliveTick(interval: amount)
            })
        }
        if let idle = connection.configuration.idleTimeout {
            let amount = TimeAmount(idle)
            let tick = max(TimeAmount.milliseconds(10), .nanoseconds(amount.nanoseconds / 4))
            timers.append(loop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
                bound.value.idleTick(limit: amount)
            })
        }
    }

    private func keepaliveTick(interval: TimeAmount) {
        // Keepalive starts once both HELLOs are exchanged; before that the HELLO timeout rules.
        guard connection.state.withLock({ $0.phase == .active }) else { return }
        let now = NIODeadline.now()
        if let sent = pingSentAt {
            if lastRead >= sent {
                pingSentAt = nil
            } else if now - sent >= interval {
                connection.perform(connection.state.withLock {
                    $0.connectionError(.timeout, "no answer to a keepalive PING within \(interval)")
                })
                return
            }
        }
        if pingSentAt == nil, now - lastRead >= interval {
            pingSentAt = now
            connection.perform(connection.state.withLock { $0.sendPing(now.uptimeNanoseconds) })
        }
    }

    private func idleTick(limit: TimeAmount) {
        let (active, open, last) = connection.state.withLock { ($0.phase == .active, $0.openCalls, $0.lastActivity) }
        if active, open == 0, NIODeadline.now() - last >= limit {
            connection.drain(message: "idle")
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !broken else { return }
        var bytes = unwrapInboundIn(data)
        if let partial, partial.readableBytes > 0 {
            // Only the unfinished frame is copied; the frames before it keep their slices.
            var joined = context.channel.allocator.buffer(capacity: partial.readableBytes + bytes.readableBytes)
            joined.writeImmutableBuffer(partial)
            joined.writeBuffer(&bytes)
            bytes = joined
        }
        do {
            while let frame = try decoder.nextFrame(from: &bytes) {
                inbound.append(frame)
            }
        } catch {
            broken = true
            partial = nil
            errorCaught(context: context, error: error)
            return
        }
        partial = bytes.readableBytes > 0 ? bytes : nil
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        deliverInbound()
        connection.dispatchPending()
        context.fireChannelReadComplete()
    }

    /// Hands the frames read so far to the connection: one lock and one round of effects per
    /// read burst rather than per frame.
    private func deliverInbound() {
        guard !inbound.isEmpty else { return }
        lastRead = .now()
        connection.received(inbound)
        inbound.removeAll(keepingCapacity: true)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let peer, _)? = event as? TLSEvent {
            connection.setPeer(peer)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The frames before a broken one count.
        deliverInbound()
        connection.failed(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let partial, !broken {
            self.partial = nil
            broken = true
            deliverInbound()
            connection.failed(WireError(.truncatedFrame, "the connection ended \(partial.readableBytes) bytes into a frame"))
        }
        deliverInbound()
        stopTimers()
        connection.channelInactive()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimers()
        // A channel that never became active (a refused dial) is closed without channelInactive.
        connection.removedFromPipeline()
    }

    private func stopTimers() {
        helloTimer?.cancel()
        for timer in timers { timer.cancel() }
        timers.removeAll()
    }
}
