public import NIOCore

/// Writes ``Frame``s to the wire, refusing any frame larger than the peer accepts.
public struct FrameEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = Frame

    /// The peer's announced maximum frame size.
    public var peerMaxFrameSize: Int

    /// Creates an encoder.
    /// - Parameter peerMaxFrameSize: The largest length prefix the peer accepts. Before the peer's
    ///   HELLO arrives only HELLO may be sent, and it fits the protocol minimum.
    public init(peerMaxFrameSize: Int = WireLimits.minimumMaxFrameSize) {
        self.peerMaxFrameSize = peerMaxFrameSize
    }

    /// Appends `frame` to `out`.
    /// - Parameters:
    ///   - frame: The frame to send.
    ///   - out: The buffer to append to.
    /// - Throws: ``WireError`` with code `frameTooLarge` if the frame exceeds the peer's maximum.
    public func encode(data frame: Frame, out: inout ByteBuffer) throws {
        guard frame.length <= peerMaxFrameSize else {
            throw WireError(.frameTooLarge, "\(frame.type.name) of \(frame.length) bytes exceeds the peer's maximum frame size \(peerMaxFrameSize)")
        }
        out.writeFrame(frame)
    }
}
