import COpenSSL

// What the connection decides when OpenSSL's callbacks (installed by TLSContext+Callbacks.swift)
// ask it, in the middle of `SSL_do_handshake`.

extension TLSConnection {
    /// The verify callback: OpenSSL's verdict on each certificate of the peer's chain, top down.
    /// At the leaf (depth 0), after OpenSSL accepted the chain, validity and name, the
    /// configuration's `peerCertificateCheck` has the last word.
    /// - Returns: Whether to go on; `false` fails the handshake with an alert matching the
    ///   store's error (`certificate_revoked` when the check refuses).
    func verifyPeer(preverified: Bool, storeContext: OpaquePointer) -> Bool {
        guard preverified else { return false }
        guard X509_STORE_CTX_get_error_depth(storeContext) == 0 else { return true }
        guard let certificate = X509_STORE_CTX_get_current_cert(storeContext) else { return false }
        do {
            let identity = try PeerIdentity(certificate: certificate)
            if let check = self.context.configuration.peerCertificateCheck, !check(identity) {
                X509_STORE_CTX_set_error(storeContext, X509_V_ERR_CERT_REVOKED)
                self.refusal = TLSError(
                    code: .certificateRefused,
                    message: "the peer certificate check refused \(identity.subject) (serial \(identity.serialNumber))"
                )
                return false
            }
            self.verifiedPeer = identity
            return true
        } catch {
            X509_STORE_CTX_set_error(storeContext, X509_V_ERR_UNSPECIFIED)
            self.refusal = error
            return false
        }
    }

    /// The ClientHello callback of a server: is there an ALPN extension at all?
    func clientHelloOffersApplicationProtocols() -> Bool {
        var data: UnsafePointer<UInt8>?
        var length = 0
        let alpn = UInt32(TLSEXT_TYPE_application_layer_protocol_negotiation)
        if SSL_client_hello_get0_ext(self.ssl, alpn, &data, &length) == 1 {
            return true
        }
        self.refusal = TLSError(
            code: .noApplicationProtocol,
            message: "the client offered no application protocol; Knock speaks \(self.acceptedProtocols)"
        )
        return false
    }

    /// The ALPN select callback of a server: picks the first protocol we speak that the client
    /// offered.
    /// - Parameters:
    ///   - offered: The client's list in wire format (length-prefixed names).
    /// - Returns: The chosen name, pointing into `offered` as OpenSSL requires, or `nil` to
    ///   refuse with a `no_application_protocol` alert.
    func selectApplicationProtocol(offered: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        var names: [Range<Int>] = []
        var index = 0
        while index < offered.count {
            let end = index + 1 + Int(offered[index])
            guard end <= offered.count else { break }  // malformed: use what parsed
            names.append((index + 1)..<end)
            index = end
        }
        for wanted in self.context.configuration.applicationProtocols {
            if let match = names.first(where: { offered[$0].elementsEqual(wanted.utf8) }) {
                return UnsafeBufferPointer(rebasing: offered[match])
            }
        }
        let offeredText = names.map { String(decoding: offered[$0], as: UTF8.self) }.joined(separator: ", ")
        self.refusal = TLSError(
            code: .noApplicationProtocol,
            message: "the client offered [\(offeredText)]; Knock speaks \(self.acceptedProtocols)"
        )
        return nil
    }

    private var acceptedProtocols: String {
        self.context.configuration.applicationProtocols.joined(separator: ", ")
    }
}
