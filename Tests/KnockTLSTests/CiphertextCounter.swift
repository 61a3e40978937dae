import NIOCore

/// Counts the ciphertext bytes a channel writes, below the TLS handler.
final class CiphertextCounter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let count: ByteCount

    init(count: ByteCount) {
        self.count = count
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = Self.unwrapOutboundIn(data).readableBytes
        self.count.add(bytes)
        context.write(data, promise: promise)
    }
}
