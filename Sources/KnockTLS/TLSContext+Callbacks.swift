import COpenSSL

// OpenSSL calls these C callbacks in the middle of `SSL_do_handshake`, on the event loop that
// drives the connection. They are capture-free closures; each finds its `TLSConnection` through
// the `SSL`'s ex_data and lets the connection decide.

extension TLSContext {
    /// Requires and verifies the peer's certificate; the connection judges the leaf.
    func installPeerVerification() {
        var mode = SSL_VERIFY_PEER
        if self.configuration.role == .server {
            mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT
        }
        SSL_CTX_set_verify(self.pointer, mode) { preverified, storeContext in
            guard let storeContext,
                let ssl = X509_STORE_CTX_get_ex_data(storeContext, SSL_get_ex_data_X509_STORE_CTX_idx()),
                let connection = TLSConnection.owning(OpaquePointer(ssl))
            else {
                return 0
            }
            return connection.verifyPeer(preverified: preverified == 1, storeContext: storeContext) ? 1 : 0
        }
    }

    /// A client offers the configured protocols. A server refuses, with a fatal
    /// `no_application_protocol` alert, a ClientHello without ALPN or without a protocol it speaks.
    func installApplicationProtocolNegotiation() throws {
        switch self.configuration.role {
        case .client:
            let result = self.applicationProtocolsWire.withUnsafeBufferPointer {
                SSL_CTX_set_alpn_protos(self.pointer, $0.baseAddress, UInt32($0.count))
            }
            // The one OpenSSL call that returns 0 on success.
            guard result == 0 else {
                throw OpenSSLErrorStack.drain().error(.invalidConfiguration, "cannot set the ALPN protocols")
            }
        default:
            // Without an ALPN extension the select callback below is never called, so the
            // ClientHello is checked first.
            SSL_CTX_set_client_hello_cb(
                self.pointer,
                { ssl, alert, _ in
                    guard let ssl, let connection = TLSConnection.owning(ssl) else { return SSL_CLIENT_HELLO_ERROR }
                    guard connection.clientHelloOffersApplicationProtocols() else {
                        alert?.pointee = SSL_AD_NO_APPLICATION_PROTOCOL
                        return SSL_CLIENT_HELLO_ERROR
                    }
                    return SSL_CLIENT_HELLO_SUCCESS
                },
                nil
            )
            SSL_CTX_set_alpn_select_cb(
                self.pointer,
                { ssl, selected, selectedLength, offered, offeredLength, _ in
                    guard let ssl, let selected, let selectedLength, let offered,
                        let connection = TLSConnection.owning(ssl),
                        let choice = connection.selectApplicationProtocol(
                            offered: UnsafeBufferPointer(start: offered, count: Int(offeredLength))
                        )
                    else {
                        return SSL_TLSEXT_ERR_ALERT_FATAL
                    }
                    selected.pointee = choice.baseAddress
                    selectedLength.pointee = UInt8(choice.count)
                    return SSL_TLSEXT_ERR_OK
                },
                nil
            )
        }
    }
}
