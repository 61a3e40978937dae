/// The flags byte of a frame.
///
/// The low nibble (`0x0F`) holds flags whose meaning depends on the frame type; a bit there that
/// the type does not define is a connection error. The high nibble (`0xF0`) is reserved for
/// extensions: receivers ignore bits they do not understand there, and keep them.
public struct FrameFlags: OptionSet, Hashable, Sendable {
    /// The byte on the wire.
    public var rawValue: UInt8

    /// Creates flags from the byte on the wire.
    /// - Parameter rawValue: The flags byte.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// REQUEST only: the call is a server stream (many MESSAGE frames, credit applies).
    public static let serverStream = FrameFlags(rawValue: 0x01)

    /// MESSAGE only, and only with the extension ``WireExtension/unaryEndOKName`` in force (both
    /// HELLOs list it): this MESSAGE is the unary call's response and ends the call with status
    /// OK; no END follows (PROTOCOL.md §4.7). A bit of the ignorable high nibble, so a peer that
    /// does not know the extension never receives it.
    public static let endOK = FrameFlags(rawValue: 0x10)

    /// The bits a receiver must understand.
    public static let critical = FrameFlags(rawValue: 0x0F)

    /// The bits a receiver that does not know them ignores.
    public static let ignorable = FrameFlags(rawValue: 0xF0)
}
