/// Why a connection was closed, carried in a GOAWAY frame. Call-level failures use
/// ``StatusCode`` in an END frame instead.
public struct ConnectionErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The number on the wire.
    public var rawValue: UInt32

    /// Creates a code from its wire number.
    /// - Parameter rawValue: The number on the wire.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// A graceful close or drain.
    public static let noError = ConnectionErrorCode(rawValue: 0)
    /// The peer broke a rule of the protocol: an unknown frame type, an undefined flag, a bad call
    /// id, a frame out of order.
    public static let protocolError = ConnectionErrorCode(rawValue: 1)
    /// The sender failed on its own.
    public static let internalError = ConnectionErrorCode(rawValue: 2)
    /// The peer sent stream messages beyond its credit, or granted credit past 2³¹−1.
    public static let flowControlError = ConnectionErrorCode(rawValue: 3)
    /// The peer did not send HELLO, or did not answer a PING, in time.
    public static let timeout = ConnectionErrorCode(rawValue: 4)
    /// A frame was shorter than its header, longer than the receiver's maximum, or a fixed-size
    /// payload had the wrong length.
    public static let frameSizeError = ConnectionErrorCode(rawValue: 5)
    /// The two sides have no protocol version in common.
    public static let unsupportedVersion = ConnectionErrorCode(rawValue: 6)
    /// The peer requires an extension the sender does not understand.
    public static let unsupportedExtension = ConnectionErrorCode(rawValue: 7)
    /// The peer is generating excessive load (pings, cancelled calls).
    public static let enhanceYourCalm = ConnectionErrorCode(rawValue: 8)

    /// Every code protocol version 1 defines.
    public static let defined: [ConnectionErrorCode] = [
        .noError, .protocolError, .internalError, .flowControlError, .timeout, .frameSizeError,
        .unsupportedVersion, .unsupportedExtension, .enhanceYourCalm,
    ]

    /// The name used in PROTOCOL.md and the golden vectors, e.g. `FRAME_SIZE_ERROR`.
    public var name: String {
        switch rawValue {
        case 0: "NO_ERROR"
        case 1: "PROTOCOL_ERROR"
        case 2: "INTERNAL_ERROR"
        case 3: "FLOW_CONTROL_ERROR"
        case 4: "TIMEOUT"
        case 5: "FRAME_SIZE_ERROR"
        case 6: "UNSUPPORTED_VERSION"
        case 7: "UNSUPPORTED_EXTENSION"
        case 8: "ENHANCE_YOUR_CALM"
        default: "UNKNOWN_\(rawValue)"
        }
    }

    public var description: String { name }
}
