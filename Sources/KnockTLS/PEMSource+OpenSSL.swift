import COpenSSL

extension PEMSource {
    /// Opens the source as a read-only OpenSSL BIO for the duration of `body`.
    /// - Throws: `TLSError` with code `invalidConfiguration` when the file cannot be opened.
    private func withBIO<Result>(_ body: (OpaquePointer) throws -> Result) throws -> Result {
        switch self.storage {
        case .file(let path):
            ERR_clear_error()
            guard let bio = BIO_new_file(path, "r") else {
                throw OpenSSLErrorStack.drain().error(.invalidConfiguration, "cannot open \(self)")
            }
            defer { BIO_free(bio) }
            return try body(bio)
        case .memory(let bytes):
            return try bytes.withUnsafeBytes { raw in
                // The memory BIO reads `raw` in place; it must not outlive this closure.
                guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                    throw OpenSSLErrorStack.drain().error(.invalidConfiguration, "cannot read \(self)")
                }
                defer { BIO_free(bio) }
                return try body(bio)
            }
        }
    }

    /// Reads every certificate block, in order. The caller owns the `X509` pointers and must
    /// `X509_free` them.
    /// - Throws: `TLSError` with code `invalidConfiguration` when a block does not parse or
    ///   there is none.
    func readCertificates() throws -> [OpaquePointer] {
        try self.withBIO { bio in
            var certificates: [OpaquePointer] = []
            ERR_clear_error()
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
                certificates.append(certificate)
            }
            // The loop ends with "no start line" at the end of the input; anything else is a bad block.
            let stack = OpenSSLErrorStack.drain()
            let endOfInput = stack.codes.allSatisfy {
                knock_ERR_GET_LIB($0) == ERR_LIB_PEM && knock_ERR_GET_REASON($0) == PEM_R_NO_START_LINE
            }
            guard endOfInput, !certificates.isEmpty else {
                certificates.forEach { X509_free($0) }
                let problem = certificates.isEmpty ? "no certificate in" : "a certificate does not parse in"
                throw stack.error(.invalidConfiguration, "\(problem) \(self)")
            }
            return certificates
        }
    }

    /// Reads the first private key block. The caller owns the `EVP_PKEY` and must `EVP_PKEY_free` it.
    /// - Throws: `TLSError` with code `invalidConfiguration` when there is no key that parses.
    func readPrivateKey() throws -> OpaquePointer {
        try self.withBIO { bio in
            ERR_clear_error()
            // An encrypted key is refused rather than asking for a passphrase on the terminal.
            guard let key = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) else {
                throw OpenSSLErrorStack.drain().error(.invalidConfiguration, "no private key that parses in \(self)")
            }
            return key
        }
    }
}
