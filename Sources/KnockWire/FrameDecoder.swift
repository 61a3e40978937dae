public import NIOCore

/// Splits a byte stream into ``Frame``s and checks their structure before any payload is held.
///
/// The checks, in order: the length prefix (at least the header, at most ``maxFrameSize``, known
/// from the first 4 bytes, so an oversize frame is refused before its bytes are buffered); then,
/// from the 10 header bytes, the frame type, the flags and the call id (zero or not, parity by
/// ``role``); then, once the whole frame is in, the payload rules of its type. A violation throws
/// a ``WireError``; the connection then sends GOAWAY and closes.
public struct FrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = Frame

    /// The role of the side that receives these frames.
    public let role: ConnectionRole
    /// The largest length prefix accepted: the receiver's own announced maximum frame size.
    public let maxFrameSize: Int

    /// Creates a decoder.
    /// - Parameters:
    ///   - role: The receiving side's role; decides which call ids the peer may use.
    ///   - maxFrameSize: The largest length prefix accepted (default 4 MiB).
    public init(role: ConnectionRole, maxFrameSize: Int = WireLimits.defaultMaxFrameSize) {
        self.role = role
        self.maxFrameSize = maxFrameSize
    }

    /// Reads the next complete frame from `buffer`, or returns `nil` (consuming nothing) when more
    /// bytes are needed.
    /// - Parameter buffer: Received bytes; a decoded frame's bytes are consumed.
    /// - Returns: The frame, or `nil` if it is not complete yet.
    /// - Throws: ``WireError`` when the bytes break the protocol.
    public func nextFrame(from buffer: inout ByteBuffer) throws(WireError) -> Frame? {
        // The length prefix and the header in one look at the bytes (each of ByteBuffer's
        // integer reads checks its storage and bounds again).
        let prefix = buffer.withUnsafeReadableBytes { bytes -> (length: UInt32, header: (type: UInt8, flags: UInt8, callID: UInt32)?)? in
            guard bytes.count >= WireLimits.lengthPrefixSize else { return nil }
            let length = UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self))
            guard bytes.count >= WireLimits.lengthPrefixSize + WireLimits.frameHeaderSize else { return (length, nil) }
            let start = WireLimits.lengthPrefixSize
            return (length, (bytes[start], bytes[start + 1], UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: start + 2, as: UInt32.self))))
        }
        guard let (length, header) = prefix else { return nil }
        if length < UInt32(WireLimits.frameHeaderSize) {
            throw WireError(.frameTooShort, "frame length \(length) is shorter than the 6-byte header")
        }
        if length > UInt32(maxFrameSize) {
            throw WireError(.frameTooLarge, "frame length \(length) exceeds the maximum frame size \(maxFrameSize)")
        }
        guard let (typeByte, flagsByte, callID) = header else { return nil }
        let type = FrameType(rawValue: typeByte)
        let flags = FrameFlags(rawValue: flagsByte)
        try checkHeader(type: type, flags: flags, callID: callID, length: Int(length))

        let total = WireLimits.lengthPrefixSize + Int(length)
        guard buffer.readableBytes >= total else { return nil }
        buffer.moveReaderIndex(forwardBy: WireLimits.lengthPrefixSize + WireLimits.frameHeaderSize)
        let payload = buffer.readSlice(length: Int(length) - WireLimits.frameHeaderSize)!
        let frame = Frame(type: type, flags: flags, callID: callID, payload: payload)
        try checkPayload(of: frame)
        return frame
    }

    private func checkHeader(type: FrameType, flags: FrameFlags, callID: UInt32, length: Int) throws(WireError) {
        guard type.isDefined || type.isExtension else {
            throw WireError(.unknownFrameType, "unknown frame type 0x\(hex(type.rawValue))")
        }
        if type.isExtension { return }
        let undefined = flags.intersection(.critical).subtracting(type.definedFlags)
        if !undefined.isEmpty {
            throw WireError(.undefinedFlags, "flags 0x\(hex(undefined.rawValue)) are not defined for \(type.name)")
        }
        if type == .hello && length > WireLimits.minimumMaxFrameSize {
            throw WireError(.frameTooLarge, "HELLO length \(length) exceeds \(WireLimits.minimumMaxFrameSize)")
        }
        if type.isConnectionLevel {
            if callID != 0 {
                throw WireError(.invalidCallID, "\(type.name) must have call id 0, not \(callID)")
            }
            return
        }
        if callID == 0 {
            throw WireError(.invalidCallID, "\(type.name) needs a call id; 0 is the connection")
        }
        // REQUEST, CANCEL and CREDIT come from the caller; MESSAGE and END from the callee.
        let callerIsPeer = type == .request || type == .cancel || type == .credit
        let caller = callerIsPeer ? role.peer : role
        if !caller.startsCall(withID: callID) {
            let parity = caller == .dialer ? "odd" : "even"
            let whose = callerIsPeer ? "the peer's" : "this side's"
            throw WireError(.invalidCallID, "\(type.name) call id \(callID) must be \(parity) (\(whose) call, started by the \(caller.rawValue))")
        }
    }

    private func checkPayload(of frame: Frame) throws(WireError) {
        let size = frame.payload.readableBytes
        func expect(_ wanted: Int) throws(WireError) {
            if size != wanted {
                throw WireError(.invalidPayloadLength, "\(frame.type.name) payload must be \(wanted) bytes, not \(size)")
            }
        }
        switch frame.type {
        case .request:
            guard size >= 4, let headerLength = frame.payload.getInteger(at: frame.payload.readerIndex, as: UInt32.self)
            else {
                throw WireError(.invalidPayloadLength, "REQUEST payload of \(size) bytes has no header length")
            }
            if Int(headerLength) > size - 4 {
                throw WireError(.invalidPayloadLength, "REQUEST header length \(headerLength) overruns the \(size - 4) bytes after it")
            }
        case .cancel:
            try expect(0)
        case .credit:
            try expect(4)
            if frame.payload.getInteger(at: frame.payload.readerIndex, as: UInt32.self) == 0 {
                throw WireError(.invalidCredit, "CREDIT must grant at least one message")
            }
        case .ping, .pong:
            try expect(8)
        default:
            break
        }
    }

    // MARK: ByteToMessageDecoder

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try nextFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        if try decode(context: context, buffer: &buffer) == .continue { return .continue }
        if buffer.readableBytes > 0 {
            let count = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: count)
            throw WireError(.truncatedFrame, "the connection ended \(count) bytes into a frame")
        }
        return .needMoreData
    }
}

func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return digits.count == 1 ? "0" + digits : digits
}
