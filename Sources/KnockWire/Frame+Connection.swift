import NIOCore
import SwiftProtobuf

extension Frame {
    /// A HELLO frame announcing versions and capabilities.
    /// - Parameter hello: The sender's versions and capabilities.
    public static func hello(_ hello: WireHello) -> Frame {
        Frame(type: .hello, callID: 0, payload: protocolPayload(hello))
    }

    /// A PING frame; the peer answers with a PONG carrying `opaque`.
    /// - Parameter opaque: Eight bytes the sender chooses, e.g. a send timestamp.
    public static func ping(_ opaque: UInt64) -> Frame {
        Frame(type: .ping, callID: 0, payload: eightBytes(opaque))
    }

    /// A PONG frame answering a PING.
    /// - Parameter opaque: The eight bytes of the PING being answered.
    public static func pong(_ opaque: UInt64) -> Frame {
        Frame(type: .pong, callID: 0, payload: eightBytes(opaque))
    }

    /// A GOAWAY frame: the sender accepts no call above `lastCallID`.
    /// - Parameter goAway: The last accepted call id, the connection error code and a reason.
    public static func goAway(_ goAway: WireGoAway) -> Frame {
        Frame(type: .goAway, callID: 0, payload: protocolPayload(goAway))
    }

    /// A GOAWAY frame from its parts.
    /// - Parameters:
    ///   - lastCallID: The highest peer-started call id that will be finished.
    ///   - code: Why the connection is going away.
    ///   - message: A reason for the peer's logs.
    public static func goAway(lastCallID: UInt32, code: ConnectionErrorCode, message: String) -> Frame {
        var goAway = WireGoAway()
        goAway.lastCallID = lastCallID
        goAway.errorCode = code.rawValue
        goAway.message = message
        return .goAway(goAway)
    }

    /// The HELLO payload of this frame.
    /// - Throws: ``WireError`` `malformedPayload` if it does not parse.
    public func decodeHello() throws(WireError) -> WireHello {
        try decodeProtocolMessage(WireHello.self)
    }

    /// The GOAWAY payload of this frame.
    /// - Throws: ``WireError`` `malformedPayload` if it does not parse.
    public func decodeGoAway() throws(WireError) -> WireGoAway {
        try decodeProtocolMessage(WireGoAway.self)
    }

    /// The eight opaque bytes of a PING or PONG, as a big-endian integer.
    public var pingData: UInt64 {
        payload.getInteger(at: payload.readerIndex, as: UInt64.self) ?? 0
    }

    func decodeProtocolMessage<M: SwiftProtobuf.Message>(_: M.Type) throws(WireError) -> M {
        do {
            return try M(serializedBytes: payload.readableBytesSpan)
        } catch {
            throw WireError(.malformedPayload, "\(type.name) payload is not a valid \(M.protoMessageName): \(error)")
        }
    }

    static func protocolPayload(_ message: some SwiftProtobuf.Message) -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try message.serializedBytes() as [UInt8])
        } catch {
            // Only proto2 required fields and unresolvable Any values fail to serialize; the
            // protocol's messages other than Status have neither.
            preconditionFailure("\(Swift.type(of: message)) failed to serialize: \(error)")
        }
    }

    private static func eightBytes(_ value: UInt64) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(value)
        return buffer
    }
}

extension WireExtension {
    /// The extension `knock.unary-end-ok` (PROTOCOL.md §4.7): a unary call that succeeds ends
    /// with its one MESSAGE, flagged ``FrameFlags/endOK``, instead of MESSAGE and END.
    public static let unaryEndOKName = "knock.unary-end-ok"

    /// `knock.unary-end-ok`, offered as optional.
    public static var unaryEndOK: WireExtension {
        var offer = WireExtension()
        offer.name = unaryEndOKName
        return offer
    }
}

extension WireHello {
    /// Whether this HELLO lists the extension `name`.
    /// - Parameter name: The extension's name.
    public func lists(extension name: String) -> Bool {
        extensions.contains { $0.name == name }
    }

    /// The HELLO this implementation sends by default: version 1 and the given limits.
    /// - Parameters:
    ///   - maxFrameSize: The largest frame this side accepts.
    ///   - maxConcurrentCalls: How many peer-started calls this side runs at once.
    ///   - keepaliveIntervalMS: Ping after this much silence; 0 for never.
    ///   - idleTimeoutMS: Close after this long without calls; 0 for never.
    ///   - agent: The implementation's name and version.
    public static func knockDefault(
        maxFrameSize: Int = WireLimits.defaultMaxFrameSize,
        maxConcurrentCalls: Int = WireLimits.defaultMaxConcurrentCalls,
        keepaliveIntervalMS: UInt32 = 0,
        idleTimeoutMS: UInt32 = 0,
        agent: String = "knock-swift/1"
    ) -> WireHello {
        var hello = WireHello()
        hello.versions = [WireLimits.protocolVersion]
        hello.maxFrameSize = UInt32(maxFrameSize)
        hello.maxConcurrentCalls = UInt32(maxConcurrentCalls)
        hello.keepaliveIntervalMs = keepaliveIntervalMS
        hello.idleTimeoutMs = idleTimeoutMS
        hello.agent = agent
        return hello
    }

    /// The maximum frame size this HELLO announces, with 0 read as the default.
    public var effectiveMaxFrameSize: Int {
        maxFrameSize == 0 ? WireLimits.defaultMaxFrameSize : Int(maxFrameSize)
    }

    /// The concurrent-call limit this HELLO announces, with 0 read as the default.
    public var effectiveMaxConcurrentCalls: Int {
        maxConcurrentCalls == 0 ? WireLimits.defaultMaxConcurrentCalls : Int(maxConcurrentCalls)
    }
}
