import NIOCore

/// A handler at the socket end of a client pipeline: writes through its context skip TLS.
final class RawTap: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
}
