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
        // Prefix, header and payload in one write: a call's response and END pass here, and
        // writing the payload as a second buffer checked uniqueness and capacity again and went
        // through ByteBuffer's general copy (2-3% of a small call's CPU on the serving side).
        let headerSize = WireLimits.lengthPrefixSize + WireLimits.frameHeaderSize
        return frame.payload.withUnsafeReadableBytes { payload in
            writeWithUnsafeMutableBytes(minimumWritableBytes: headerSize + payload.count) { out in
                Self.storeFrameHeader(length: frame.length, type: frame.type, flags: frame.flags, callID: frame.callID, into: out)
                if let source = payload.baseAddress, payload.count > 0 {
                    (out.baseAddress! + headerSize).copyMemory(from: source, byteCount: payload.count)
                }
                return headerSize + payload.count
            }
        }
    }

    /// Stores the length prefix and header at the start of `out` (10 bytes).
    static func storeFrameHeader(length: Int, type: FrameType, flags: FrameFlags, callID: UInt32, into out: UnsafeMutableRawBufferPointer) {
        out.storeBytes(of: UInt32(truncatingIfNeeded: length).bigEndian, toByteOffset: 0, as: UInt32.self)
        out.storeBytes(of: type.rawValue, toByteOffset: 4, as: UInt8.self)
        out.storeBytes(of: flags.rawValue, toByteOffset: 5, as: UInt8.self)
        out.storeBytes(of: callID.bigEndian, toByteOffset: 6, as: UInt32.self)
    }
}
