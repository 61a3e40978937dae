@_spi(Testing) import KnockTLS
import Testing

/// What both ends saw of a connection that was meant to be refused.
struct Refusal {
    var server: ConnectionLog.Snapshot
    var client: ConnectionLog.Snapshot

    /// Connects `client` to a server running `server`, tries to send a line, and waits for both
    /// ends to close.
    static func attempt(server: TLSConfiguration, client: TLSConfiguration) async throws -> Refusal {
        let testServer = try await TestServer.start(server)
        let connection = try await connectClient(client, port: testServer.port)
        // A TLS 1.3 client may finish its handshake before the server judges it: the refusal
        // then arrives on the first read. The send itself may fail, which is fine.
        if await connection.log.wait(upTo: .seconds(2), until: { $0.handshake != nil || $0.closed }),
            connection.log.snapshot.handshake != nil
        {
            try? await connection.channel.send("must never be echoed")
        }
        let clientClosed = await connection.log.waitUntilClosed()
        let serverLog = try #require(await testServer.log.connection(1))
        let serverClosed = await serverLog.waitUntilClosed()
        #expect(clientClosed, "the client's connection stays open")
        #expect(serverClosed, "the server's connection stays open")
        await testServer.stop()
        return Refusal(server: serverLog.snapshot, client: connection.log.snapshot)
    }

    /// Nothing got through in either direction and the server never completed a handshake.
    func expectNothingExchanged(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.server.handshake == nil, sourceLocation: sourceLocation)
        #expect(self.server.received.isEmpty, sourceLocation: sourceLocation)
        #expect(self.client.received.isEmpty, sourceLocation: sourceLocation)
    }

    /// The server's first error is a `TLSError` with `code` whose message contains `text`.
    func expectServerError(
        _ code: TLSError.Code,
        mentioning text: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        Self.expectFirstError(of: self.server, "server", code, text, sourceLocation)
    }

    /// The client's first error is a `TLSError` with `code` whose message contains `text`.
    func expectClientError(
        _ code: TLSError.Code,
        mentioning text: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        Self.expectFirstError(of: self.client, "client", code, text, sourceLocation)
    }

    private static func expectFirstError(
        of side: ConnectionLog.Snapshot,
        _ name: String,
        _ code: TLSError.Code,
        _ text: String,
        _ sourceLocation: SourceLocation
    ) {
        let error = side.tlsErrors.first
        #expect(error?.code == code, "\(name) errors: \(side.errors)", sourceLocation: sourceLocation)
        #expect(error?.message.contains(text) == true, "\(name) error: \(String(describing: error))", sourceLocation: sourceLocation)
    }
}
