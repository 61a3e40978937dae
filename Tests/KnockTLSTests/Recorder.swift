import KnockTLS
import NIOCore

/// The handler behind the TLS handler in tests: logs what arrives and, on a server, echoes it.
final class Recorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Behaviour: Sendable {
        /// Write back what arrives.
        var echoes = false
        /// Close the connection after echoing the first read batch (for `openssl s_client`).
        var closesAfterEcho = false
        /// Close (all) when the peer ends its input (after close_notify with half-closure).
        var closesOnInputClosed = false

        static let client = Behaviour()
        static let echo = Behaviour(echoes: true, closesOnInputClosed: true)
    }

    private let log: ConnectionLog
    private let behaviour: Behaviour
    private var echoedSomething = false

    init(log: ConnectionLog, behaviour: Behaviour) {
        self.log = log
        self.behaviour = behaviour
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        self.log.update { $0.channel = channel }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        self.log.update { $0.received += buffer.readableBytesView }
        if self.behaviour.echoes {
            self.echoedSomething = true
            context.write(Self.wrapOutboundOut(buffer), promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        if self.behaviour.closesAfterEcho, self.echoedSomething {
            context.close(promise: nil)
        }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let tls as TLSEvent:
            if case .handshakeCompleted(let peer, let applicationProtocol) = tls {
                self.log.update { $0.handshake = (peer, applicationProtocol) }
            }
        case let channelEvent as ChannelEvent where channelEvent == .inputClosed:
            self.log.update { $0.inputClosed = true }
            if self.behaviour.closesOnInputClosed {
                context.close(promise: nil)
            }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.log.update { $0.errors.append(error) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.log.update { $0.closed = true }
        context.fireChannelInactive()
    }
}
