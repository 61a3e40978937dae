/// Which side of a connection an endpoint is. Both sides may call; the role decides call ids.
public enum ConnectionRole: String, Hashable, Sendable {
    /// The side that opened the TCP connection. Its calls use odd call ids.
    case dialer
    /// The side that accepted the TCP connection. Its calls use even call ids.
    case acceptor

    /// The other side.
    public var peer: ConnectionRole {
        self == .dialer ? .acceptor : .dialer
    }

    /// Whether `callID` is one this side may start a call with (non-zero, right parity).
    /// - Parameter callID: A call id from a frame.
    public func startsCall(withID callID: UInt32) -> Bool {
        callID != 0 && (callID % 2 == 1) == (self == .dialer)
    }

    /// The first call id this side uses.
    public var firstCallID: UInt32 {
        self == .dialer ? 1 : 2
    }
}
