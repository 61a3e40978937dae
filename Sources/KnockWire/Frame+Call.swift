public import NIOCore
import SwiftProtobuf

extension Frame {
    /// A REQUEST frame starting call `callID`.
    ///
    /// The payload is a 4-byte big-endian header length, the serialized ``WireRequestHeader`` and
    /// the request message.
    /// - Parameters:
    ///   - callID: A new call id of the sender's parity, above every id it used before.
    ///   - header: The method, deadline, metadata, idempotency key and initial credit.
    ///   - message: The serialized request message.
    ///   - serverStream: Whether the caller expects a server stream.
    public static func request(callID: UInt32, header: WireRequestHeader, message: ByteBuffer, serverStream: Bool = false) -> Frame {
        var buffer = ByteBuffer()
        buffer.writeRequestFrame(callID: callID, header: header, headerSize: header.encodedSize, message: message, serverStream: serverStream)
        buffer.moveReaderIndex(forwardBy: WireLimits.lengthPrefixSize + WireLimits.frameHeaderSize)
        return Frame(type: .request, flags: serverStream ? .serverStream : [], callID: callID, payload: buffer)
    }

    /// The length prefix a REQUEST frame with these parts has.
    /// - Parameters:
    ///   - headerBytes: The size of the serialized request header (``WireRequestHeader/encodedSize``).
    ///   - messageBytes: The size of the request message.
    public static func requestLength(headerBytes: Int, messageBytes: Int) -> Int {
        WireLimits.frameHeaderSize + 4 + headerBytes + messageBytes
    }

    /// A MESSAGE frame carrying one response message of call `callID`.
    /// - Parameters:
    ///   - callID: The call being answered.
    ///   - message: The serialized response message.
    public static func message(callID: UInt32, _ message: ByteBuffer) -> Frame {
        Frame(type: .message, callID: callID, payload: message)
    }

    /// An END frame closing call `callID` with `status`.
    /// - Parameters:
    ///   - callID: The call being ended.
    ///   - status: Code, message, details and trailing metadata.
    /// - Throws: ``WireError`` `malformedPayload` if a detail cannot be serialized.
    public static func end(callID: UInt32, status: WireStatus) throws(WireError) -> Frame {
        do {
            let bytes: [UInt8] = try status.serializedBytes()
            return Frame(type: .end, callID: callID, payload: ByteBuffer(bytes: bytes))
        } catch {
            throw WireError(.malformedPayload, "status for call \(callID) failed to serialize: \(error)")
        }
    }

    /// An END frame from a code and a message, without details.
    /// - Parameters:
    ///   - callID: The call being ended.
    ///   - code: How the call ended.
    ///   - message: A human-readable message; empty for OK.
    public static func end(callID: UInt32, code: StatusCode, message: String = "") -> Frame {
        var status = WireStatus()
        status.code = code.rawValue
        status.message = message
        return Frame(type: .end, callID: callID, payload: protocolPayload(status))
    }

    /// A CANCEL frame: the caller abandons call `callID` and expects no answer.
    /// - Parameter callID: The call being cancelled.
    public static func cancel(callID: UInt32) -> Frame {
        Frame(type: .cancel, callID: callID, payload: ByteBuffer())
    }

    /// A CREDIT frame letting the callee send `increment` more stream messages.
    /// - Parameters:
    ///   - callID: The server-streaming call.
    ///   - increment: Messages allowed in addition to the outstanding credit (at least 1).
    public static func credit(callID: UInt32, increment: UInt32) -> Frame {
        var payload = ByteBuffer()
        payload.writeInteger(increment)
        return Frame(type: .credit, callID: callID, payload: payload)
    }

    /// The call header and the request message of a REQUEST frame.
    ///
    /// The decoder has already checked that the header length fits; this parses the header and
    /// checks its limits. A failure here concerns one call: answer it with END
    /// `INVALID_ARGUMENT` and keep the connection.
    /// - Throws: ``WireError`` `malformedPayload` or `invalidHeader`.
    public func requestParts() throws(WireError) -> (header: WireRequestHeader, message: ByteBuffer) {
        var payload = self.payload
        guard let headerLength = payload.readInteger(as: UInt32.self),
              let headerBytes = payload.readSlice(length: Int(headerLength))
        else {
            throw WireError(.invalidPayloadLength, "REQUEST header length overruns the payload")
        }
        let header: WireRequestHeader
        do {
            header = try WireRequestHeader(decoding: headerBytes)
        } catch {
            throw WireError(.malformedPayload, "request header is not a valid knock.wire.v1.RequestHeader: \(error)")
        }
        try header.validate()
        return (header, payload)
    }

    /// The status of an END frame.
    /// - Throws: ``WireError`` `malformedPayload` if it does not parse.
    public func decodeStatus() throws(WireError) -> WireStatus {
        // Status{} (OK) is the empty payload: the END of nearly every call.
        if payload.readableBytes == 0 { return WireStatus() }
        return try decodeProtocolMessage(WireStatus.self)
    }

    /// The increment of a CREDIT frame.
    public var creditIncrement: UInt32 {
        payload.getInteger(at: payload.readerIndex, as: UInt32.self) ?? 0
    }

    /// Whether a REQUEST frame starts a server stream.
    public var isServerStream: Bool {
        flags.contains(.serverStream)
    }
}

extension ByteBuffer {
    /// Appends a REQUEST frame built from its parts, without an intermediate payload buffer or
    /// serialized header.
    /// - Parameters:
    ///   - callID: The new call's id.
    ///   - header: The request header.
    ///   - headerSize: `header.encodedSize`, which the caller has computed to check the frame size.
    ///   - message: The serialized request message.
    ///   - serverStream: Whether the call is a server stream.
    /// - Returns: The number of bytes written.
    @discardableResult
    public mutating func writeRequestFrame(callID: UInt32, header: WireRequestHeader, headerSize: Int, message: ByteBuffer, serverStream: Bool) -> Int {
        writeFrame(type: .request, flags: serverStream ? .serverStream : [], callID: callID, before: 4 + headerSize, payload: message) { out in
            out.storeBytes(of: UInt32(headerSize).bigEndian, toByteOffset: 0, as: UInt32.self)
            header.encode(into: UnsafeMutableRawBufferPointer(rebasing: out[4...]))
        }
    }
}
