public import SwiftProtobuf

/// Sends the messages of a server stream, at the pace the caller's credit allows.
public struct StreamWriter<Response: SwiftProtobuf.Message & Sendable>: Sendable {
    let connection: RPCConnection
    let callID: UInt32

    /// Sends one message; suspends while the caller has granted no credit.
    /// - Parameter message: The message.
    /// - Throws: ``RPCError`` `CANCELLED` once the call has ended (cancelled, deadline, lost
    ///   connection): the handler should stop.
    public func write(_ message: Response) async throws {
        try await connection.writeStreamMessage(callID: callID, try message.serializedByteBuffer())
    }
}
