@_spi(Testing) import KnockTLS
import NIOCore
import NIOEmbedded
import Testing

@Suite("TLS in embedded channels")
struct EmbeddedTLSTests {
    @Test("handshake and records survive delivery one byte at a time")
    func byteByByte() throws {
        let pki = try TestPKI()
        let pair = try EmbeddedPair(pki)
        defer { pair.finish() }
        try pair.pump(chunk: 1)
        #expect(pair.clientLog.snapshot.handshake?.applicationProtocol == "knock/1")
        #expect(pair.serverLog.snapshot.handshake?.peer.uriSANs == [TestPKI.memberURI])

        let text = String(repeating: "一格一组 ", count: 2000)
        pair.client.writeAndFlush(ByteBuffer(string: text), promise: nil)
        try pair.pump(chunk: 1)
        #expect(pair.serverLog.snapshot.receivedText == text)
        #expect(pair.clientLog.snapshot.receivedText == text)
        #expect(pair.clientLog.snapshot.errors.isEmpty)
        #expect(pair.serverLog.snapshot.errors.isEmpty)
    }

    @Test("a flipped bit in a record is an ioError and closes the connection")
    func tamperedRecord() throws {
        let pki = try TestPKI()
        let pair = try EmbeddedPair(pki)
        defer { pair.finish() }
        try pair.pump(chunk: 4096)
        pair.client.writeAndFlush(ByteBuffer(string: "transfer 100 yuan"), promise: nil)
        var record = try #require(try pair.client.readOutbound(as: ByteBuffer.self))
        let middle = record.readerIndex + record.readableBytes / 2
        record.setInteger(record.getInteger(at: middle, as: UInt8.self)! ^ 0x01, at: middle)

        // The Recorder behind the TLS handler takes the error, so writeInbound does not rethrow it.
        try pair.server.writeInbound(record)
        #expect(pair.serverLog.snapshot.received.isEmpty)
        #expect(pair.serverLog.snapshot.tlsErrors.first?.code == .ioError)
        #expect(!pair.server.isActive)
    }

    @Test("hundreds of random inputs: always a TLSError and a closed connection, never a crash")
    func randomInputs() throws {
        let pki = try TestPKI()
        let context = try TLSContext(configuration: pki.serverConfiguration())
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let channel = EmbeddedChannel()
            let log = ConnectionLog()
            try channel.pipeline.syncOperations.addHandler(TLSHandler(context: context))
            try channel.pipeline.syncOperations.addHandler(Recorder(log: log, behaviour: .echo))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4433)).wait()

            var input = (0..<Int.random(in: 1...3000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 2 == 0, input.count > 5 {
                // A plausible handshake record header, so the bytes reach the ClientHello parser.
                let length = UInt16(input.count - 5)
                input.replaceSubrange(0..<5, with: [0x16, 0x03, 0x01, UInt8(length >> 8), UInt8(length & 0xff)])
                if input.count > 5 { input[5] = 0x01 }
            }
            _ = try? channel.writeInbound(ByteBuffer(bytes: input))
            if channel.isActive {
                // Still waiting for more: the end of input must settle it.
                channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            }
            #expect(!channel.isActive, "round \(round)")
            #expect(!log.snapshot.tlsErrors.isEmpty, "round \(round): \(log.snapshot.errors)")
            #expect(log.snapshot.received.isEmpty)
            // Runs the embedded loop so that the closed pipeline is torn down.
            _ = try? channel.finish(acceptAlreadyClosed: true)
        }
    }
}
