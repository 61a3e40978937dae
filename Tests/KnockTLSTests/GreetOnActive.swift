import NIOCore

/// Writes a greeting as soon as the channel is active.
final class GreetOnActive: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let greeting: String
    private let closesOutput: Bool

    init(greeting: String, closesOutput: Bool = false) {
        self.greeting = greeting
        self.closesOutput = closesOutput
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: self.greeting)), promise: nil)
        if self.closesOutput {
            context.close(mode: .output, promise: nil)
        }
        context.fireChannelActive()
    }
}
