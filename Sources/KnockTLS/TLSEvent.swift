/// Inbound user events the ``TLSHandler`` fires to the handlers after it.
public enum TLSEvent: Sendable {
    /// The handshake finished and the peer's certificate was accepted. Plaintext may flow.
    ///
    /// On a client this is not yet the server's last word: in TLS 1.3 the client finishes its
    /// handshake before the server has judged the client's certificate, so a refusal arrives
    /// afterwards, on the first read, as a ``TLSError`` with code ``TLSError/Code/alertReceived``
    /// (e.g. "certificate revoked") and the connection closes. A server's event is final.
    /// - Parameters:
    ///   - peer: Who the peer is, read from its verified certificate.
    ///   - applicationProtocol: The negotiated ALPN protocol, always `knock/1` in production.
    case handshakeCompleted(peer: PeerIdentity, applicationProtocol: String)
}
