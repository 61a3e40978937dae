/// The kind of a frame: the byte after the length prefix.
///
/// Types `0x01`–`0x09` are defined by protocol version 1. Types `0x80`–`0xFF` are extension frames
/// that a receiver that does not know them ignores; any other unknown type is a connection error.
public struct FrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The byte on the wire.
    public var rawValue: UInt8

    /// Creates a frame type from its wire byte.
    /// - Parameter rawValue: The byte on the wire.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The opening frame of each side: protocol versions and capabilities. Call id 0.
    public static let hello = FrameType(rawValue: 0x01)
    /// Starts a call: a call header and the request message.
    public static let request = FrameType(rawValue: 0x02)
    /// One response message of a call (the only one for a unary call).
    public static let message = FrameType(rawValue: 0x03)
    /// Ends a call with a status.
    public static let end = FrameType(rawValue: 0x04)
    /// The caller abandons a call.
    public static let cancel = FrameType(rawValue: 0x05)
    /// The caller allows more messages of a server stream.
    public static let credit = FrameType(rawValue: 0x06)
    /// Asks the peer to answer with a PONG carrying the same eight bytes. Call id 0.
    public static let ping = FrameType(rawValue: 0x07)
    /// The answer to a PING. Call id 0.
    public static let pong = FrameType(rawValue: 0x08)
    /// The sender accepts no new calls; in-flight calls finish. Call id 0.
    public static let goAway = FrameType(rawValue: 0x09)

    /// Every frame type that protocol version 1 defines.
    public static let defined: [FrameType] = [
        .hello, .request, .message, .end, .cancel, .credit, .ping, .pong, .goAway,
    ]

    /// Whether this is an extension type (`0x80`–`0xFF`) that receivers not knowing it ignore.
    public var isExtension: Bool { rawValue >= 0x80 }

    /// Whether protocol version 1 defines this type.
    public var isDefined: Bool { rawValue >= 0x01 && rawValue <= 0x09 }

    /// Whether frames of this type belong to the connection (call id 0) rather than to a call.
    public var isConnectionLevel: Bool {
        self == .hello || self == .ping || self == .pong || self == .goAway
    }

    /// The flag bits defined for this type; other bits in the low nibble are an error.
    public var definedFlags: FrameFlags {
        self == .request ? .serverStream : []
    }

    /// The name used in PROTOCOL.md and the golden vectors, e.g. `GOAWAY`.
    public var name: String {
        switch self {
        case .hello: "HELLO"
        case .request: "REQUEST"
        case .message: "MESSAGE"
        case .end: "END"
        case .cancel: "CANCEL"
        case .credit: "CREDIT"
        case .ping: "PING"
        case .pong: "PONG"
        case .goAway: "GOAWAY"
        default: isExtension ? "EXTENSION" : "UNKNOWN"
        }
    }

    /// The frame type with the given PROTOCOL.md name, if it is defined.
    /// - Parameter name: A name such as `REQUEST`.
    public init?(name: String) {
        guard let type = FrameType.defined.first(where: { $0.name == name }) else { return nil }
        self = type
    }

    public var description: String {
        "\(name)(0x\(String(rawValue, radix: 16, uppercase: true)))"
    }
}
