/// A certificate could not be made, loaded or used.
public struct PKIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A PEM file or string does not hold what was expected.
        public static let invalidPEM = Code(rawValue: "invalid_pem")
        /// The request is not usable (bad identity, empty validity).
        public static let invalidRequest = Code(rawValue: "invalid_request")
        /// Signing or encoding failed.
        public static let signingFailed = Code(rawValue: "signing_failed")
    }

    /// What went wrong.
    public var code: Code
    /// A sentence for the administrator.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A sentence for the administrator.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
