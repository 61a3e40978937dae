import COpenSSL

/// OpenSSL's thread-local error queue, drained: the codes, oldest first.
struct OpenSSLErrorStack {
    var codes: [UInt]

    /// Takes every error out of the calling thread's queue.
    static func drain() -> OpenSSLErrorStack {
        var codes: [UInt] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            codes.append(code)
        }
        return OpenSSLErrorStack(codes: codes)
    }

    /// Each error as `ERR_error_string_n` prints it.
    var strings: [String] {
        self.codes.map { code in
            var buffer = [CChar](repeating: 0, count: 256)
            buffer.withUnsafeMutableBufferPointer { ERR_error_string_n(code, $0.baseAddress, $0.count) }
            return String(nulTerminated: buffer)
        }
    }

    /// Whether some error in the queue came from libssl with this reason.
    func containsSSLReason(_ reason: Int32) -> Bool {
        self.codes.contains { knock_ERR_GET_LIB($0) == ERR_LIB_SSL && knock_ERR_GET_REASON($0) == reason }
    }

    /// The reason text of the first error that reports a fatal alert from the peer
    /// ("tlsv13 alert certificate required"), if any.
    var receivedAlert: String? {
        for code in self.codes where knock_ERR_GET_LIB(code) == ERR_LIB_SSL {
            let alert = knock_ERR_GET_REASON(code) - SSL_AD_REASON_OFFSET
            guard (0...255).contains(alert) else { continue }
            if let reason = ERR_reason_error_string(code) {
                return String(cString: reason)
            }
            return "alert \(alert)"
        }
        return nil
    }

    /// The reason text of the oldest error ("wrong version number"), if OpenSSL knows one.
    var firstReason: String? {
        guard let code = self.codes.first, let reason = ERR_reason_error_string(code) else { return nil }
        return String(cString: reason)
    }

    /// A `TLSError` carrying these errors.
    func error(_ code: TLSError.Code, _ message: String) -> TLSError {
        TLSError(code: code, message: message, openSSLErrors: self.strings)
    }
}
