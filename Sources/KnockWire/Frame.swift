public import NIOCore

/// One frame of the Knock wire protocol.
///
/// On the wire a frame is a 4-byte big-endian length (of everything after it), a 1-byte type,
/// a 1-byte flags field, a 4-byte big-endian call id and the payload. ``FrameDecoder`` produces
/// frames whose structure it has checked; the `Frame+…` extensions build and read the payload
/// of each type.
public struct Frame: Hashable, Sendable, CustomStringConvertible {
    /// What kind of frame this is.
    public var type: FrameType
    /// The flags byte, ignorable extension bits included.
    public var flags: FrameFlags
    /// The call the frame belongs to; 0 for connection frames.
    public var callID: UInt32
    /// The bytes after the header.
    public var payload: ByteBuffer

    /// Creates a frame from its parts. Use the typed constructors (``hello(_:)``,
    /// ``request(callID:header:message:serverStream:)``, …) where possible.
    /// - Parameters:
    ///   - type: The frame type.
    ///   - flags: The flags byte.
    ///   - callID: The call id, 0 for connection frames.
    ///   - payload: The bytes after the header.
    public init(type: FrameType, flags: FrameFlags = [], callID: UInt32, payload: ByteBuffer) {
        self.type = type
        self.flags = flags
        self.callID = callID
        self.payload = payload
    }

    /// The value of the length prefix: header plus payload.
    public var length: Int {
        WireLimits.frameHeaderSize + payload.readableBytes
    }

    /// The number of bytes the frame takes on the wire, prefix included.
    public var encodedSize: Int {
        WireLimits.lengthPrefixSize + length
    }

    public var description: String {
        "\(type.name) call=\(callID) flags=0x\(String(flags.rawValue, radix: 16)) payload=\(payload.readableBytes)B"
    }
}

extension ByteBuffer {
    /// Appends `frame` in its wire form.
    /// - Parameter frame: The frame to write.
    /// - Returns: The number of bytes written.
    @discardableResult
    public mutating func writeFrame(_ frame: Frame) -> Int {
        writeFrame(type: frame.type, flags: frame.flags, callID: frame.callID, payload: frame.payload)
    }

    /// Appends a frame whose payload is `before` bytes written by `fill`, then `payload`:
    /// prefix, header and payload in one reservation of the buffer. Every call's frames pass
    /// here, and each separate write checked the buffer's uniqueness and capacity again (and a
    /// payload written as a second buffer went through ByteBuffer's general copy).
    /// - Parameters:
    ///   - before: How many bytes `fill` writes ahead of `payload`.
    ///   - fill: Writes exactly those bytes into the region it is given.
    /// - Returns: The number of bytes written.
    @discardableResult
    mutating func writeFrame(
        type: FrameType, flags: FrameFlags, callID: UInt32, before: Int = 0, payload: ByteBuffer,
        _ fill: (UnsafeMutableRawBufferPointer) -> Void = { _ in }
    ) -> Int {
        let start = WireLimits.lengthPrefixSize + WireLimits.frameHeaderSize
        return payload.withUnsafeReadableBytes { body in
            let total = start + before + body.count
            return writeWithUnsafeMutableBytes(minimumWritableBytes: total) { out in
                out.storeBytes(of: UInt32(truncatingIfNeeded: total - WireLimits.lengthPrefixSize).bigEndian, toByteOffset: 0, as: UInt32.self)
                out.storeBytes(of: type.rawValue, toByteOffset: 4, as: UInt8.self)
                out.storeBytes(of: flags.rawValue, toByteOffset: 5, as: UInt8.self)
                out.storeBytes(of: callID.bigEndian, toByteOffset: 6, as: UInt32.self)
                if before > 0 { fill(UnsafeMutableRawBufferPointer(rebasing: out[start..<(start + before)])) }
                if let source = body.baseAddress, body.count > 0 {
                    (out.baseAddress! + start + before).copyMemory(from: source, byteCount: body.count)
                }
                return total
            }
        }
    }
}
