/// The numeric limits of protocol version 1.
public enum WireLimits {
    /// Bytes of the length prefix.
    public static let lengthPrefixSize = 4
    /// Bytes of the frame header after the prefix: type (1), flags (1), call id (4).
    public static let frameHeaderSize = 6
    /// The smallest maximum frame size a peer may announce; also the largest HELLO frame.
    public static let minimumMaxFrameSize = 16_384
    /// The largest maximum frame size a peer may announce.
    public static let maximumMaxFrameSize = 16_777_215
    /// The maximum frame size when HELLO announces 0.
    public static let defaultMaxFrameSize = 4_194_304
    /// The concurrent-call limit when HELLO announces 0.
    public static let defaultMaxConcurrentCalls = 100
    /// The initial stream credit when a request header says 0.
    public static let defaultInitialCredit: UInt32 = 16
    /// The largest total credit a caller may have outstanding on one call.
    public static let maximumCredit: UInt32 = 0x7FFF_FFFF
    /// Metadata entries allowed in one request header or status.
    public static let maxMetadataEntries = 64
    /// Bytes of metadata keys and values allowed in one request header or status.
    public static let maxMetadataBytes = 8_192
    /// Bytes allowed in a metadata key.
    public static let maxMetadataKeyBytes = 64
    /// Bytes allowed in an idempotency key.
    public static let maxIdempotencyKeyBytes = 128
    /// Bytes allowed in a method name.
    public static let maxMethodNameBytes = 256
    /// The only protocol version this implementation speaks.
    public static let protocolVersion: UInt32 = 1
    /// The ALPN identifier of this protocol.
    public static let alpn = "knock/1"
}
