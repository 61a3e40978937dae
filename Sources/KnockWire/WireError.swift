/// A violation of the wire protocol found while decoding or encoding frames.
///
/// Each code maps to the ``ConnectionErrorCode`` that the receiver sends in its GOAWAY before it
/// closes the connection, or, for problems confined to one call, to a ``StatusCode``.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as a stable identifier (also used by the golden vectors).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The identifier, e.g. `frame_too_large`.
        public var rawValue: String

        /// Creates a code from its identifier.
        /// - Parameter rawValue: The identifier.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The length prefix is smaller than the 6-byte frame header.
        public static let frameTooShort = Code(rawValue: "frame_too_short")
        /// The length prefix is larger than the receiver's maximum frame size.
        public static let frameTooLarge = Code(rawValue: "frame_too_large")
        /// The frame type is neither defined nor in the extension range.
        public static let unknownFrameType = Code(rawValue: "unknown_frame_type")
        /// A flag in the low nibble that the frame type does not define is set.
        public static let undefinedFlags = Code(rawValue: "undefined_flags")
        /// The call id is 0 on a call frame, non-zero on a connection frame, or of the wrong parity.
        public static let invalidCallID = Code(rawValue: "invalid_call_id")
        /// A fixed-size payload has the wrong length, or a REQUEST's header length overruns it.
        public static let invalidPayloadLength = Code(rawValue: "invalid_payload_length")
        /// A CREDIT frame grants zero messages.
        public static let invalidCredit = Code(rawValue: "invalid_credit")
        /// The connection ended in the middle of a frame.
        public static let truncatedFrame = Code(rawValue: "truncated_frame")
        /// A protobuf payload of the protocol (HELLO, request header, END, GOAWAY) does not parse.
        public static let malformedPayload = Code(rawValue: "malformed_payload")
        /// A request header breaks a limit: method name, metadata keys or sizes, idempotency key.
        public static let invalidHeader = Code(rawValue: "invalid_header")

        /// The connection error a receiver reports in its GOAWAY for this code.
        public var connectionErrorCode: ConnectionErrorCode {
            switch self {
            case .frameTooShort, .frameTooLarge, .invalidPayloadLength: .frameSizeError
            default: .protocolError
            }
        }

        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A sentence for logs and for the GOAWAY message.
    public var message: String

    /// Creates a wire error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A sentence for logs and the peer.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
