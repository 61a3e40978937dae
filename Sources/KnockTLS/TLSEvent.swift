/// Inbound user events the ``TLSHandler`` fires to the handlers after it.
public enum TLSEvent: Sendable {
    /// The handshake finished and the peer's certificate was accepted. Plaintext may flow.
    /// - Parameters:
    ///   - peer: Who the peer is, read from its verified certificate.
    ///   - applicationProtocol: The negotiated ALPN protocol, always `knock/1` in production.
    case handshakeCompleted(peer: PeerIdentity, applicationProtocol: String)
}
