public import NIOCore
public import SwiftProtobuf

/// The serialized responses of a server stream, in order. Consuming them grants the callee
/// more credit; a slow consumer makes the callee wait instead of filling memory.
public struct RawResponseStream: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let connection: RPCConnection
    let key: UInt64

    /// Iterates the responses.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let connection: RPCConnection
        let key: UInt64

        /// The next response, or `nil` when the callee ended the stream with OK.
        /// - Throws: ``RPCError`` when the stream ended with another status.
        public mutating func next() async throws -> ByteBuffer? {
            try await connection.nextStreamMessage(key: key)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(connection: connection, key: key)
    }
}

/// The typed responses of a server stream.
public struct ResponseStream<Response: SwiftProtobuf.Message & Sendable>: AsyncSequence, Sendable {
    public typealias Element = Response
    let raw: RawResponseStream
    let method: String

    /// Iterates the responses.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var raw: RawResponseStream.AsyncIterator
        let method: String

        /// The next response, or `nil` when the callee ended the stream with OK.
        /// - Throws: ``RPCError`` when the stream ended with another status or a response does
        ///   not parse (`INTERNAL`).
        public mutating func next() async throws -> Response? {
            guard let bytes = try await raw.next() else { return nil }
            do {
                return try Response(serializedBytes: bytes.readableBytesSpan)
            } catch {
                throw RPCError(code: .internal, message: "\(method): a response is not a valid \(Response.protoMessageName): \(error)")
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(raw: raw.makeAsyncIterator(), method: method)
    }
}
