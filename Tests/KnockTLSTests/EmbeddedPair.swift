import KnockTLS
import NIOCore
import NIOEmbedded

/// A client and a server `TLSHandler` in two `EmbeddedChannel`s, bytes moved by hand.
struct EmbeddedPair {
    let client = EmbeddedChannel()
    let server = EmbeddedChannel()
    let clientLog = ConnectionLog()
    let serverLog = ConnectionLog()

    init(_ pki: TestPKI) throws {
        try self.server.pipeline.syncOperations.addHandler(
            TLSHandler(context: TLSContext(configuration: pki.serverConfiguration()))
        )
        try self.server.pipeline.syncOperations.addHandler(Recorder(log: self.serverLog, behaviour: .echo))
        try self.client.pipeline.syncOperations.addHandler(
            TLSHandler(context: TLSContext(configuration: pki.clientConfiguration()))
        )
        try self.client.pipeline.syncOperations.addHandler(Recorder(log: self.clientLog, behaviour: .client))
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 4433)
        try self.server.connect(to: address).wait()
        try self.client.connect(to: address).wait()
    }

    /// Moves ciphertext both ways until neither side has anything more to say, in pieces of
    /// `chunk` bytes, each followed by a read-complete.
    func pump(chunk: Int) throws {
        var moved = true
        while moved {
            moved = try Self.move(from: self.client, to: self.server, chunk: chunk)
            moved = try Self.move(from: self.server, to: self.client, chunk: chunk) || moved
        }
    }

    /// Closes both channels and runs their loops, so that their pipelines are torn down.
    func finish() {
        _ = try? self.client.finish(acceptAlreadyClosed: true)
        _ = try? self.server.finish(acceptAlreadyClosed: true)
    }

    private static func move(from source: EmbeddedChannel, to destination: EmbeddedChannel, chunk: Int) throws -> Bool {
        var moved = false
        while var ciphertext = try source.readOutbound(as: ByteBuffer.self) {
            moved = true
            while let piece = ciphertext.readSlice(length: min(chunk, ciphertext.readableBytes)), piece.readableBytes > 0 {
                guard destination.isActive else { return moved }
                try destination.writeInbound(piece)
                destination.pipeline.fireChannelReadComplete()
            }
        }
        return moved
    }
}
