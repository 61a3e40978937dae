/// A file that cannot be read as CSV: what is wrong (``code``), on which physical line, and a
/// message for people.
public struct CSVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case invalidUTF8
            case unterminatedQuote
            case textAfterClosingQuote
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// The bytes are not UTF-8 (a file saved as GBK, say): save it again as "CSV UTF-8".
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A quoted field is still open at the end of the file.
        public static let unterminatedQuote = Code(.unterminatedQuote)
        /// A quoted field's closing quote is followed by something other than a comma or a line end.
        public static let textAfterClosingQuote = Code(.textAfterClosingQuote)

        /// The code's name, as written in Swift (`invalidUTF8`).
        public var description: String {
            switch wrapped {
            case .invalidUTF8: "invalidUTF8"
            case .unterminatedQuote: "unterminatedQuote"
            case .textAfterClosingQuote: "textAfterClosingQuote"
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The physical line (1 = the first) where the problem is.
    public var line: Int
    /// What went wrong, for people.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of failure this is.
    ///   - line: The physical line, from 1.
    ///   - message: What went wrong, for people.
    public init(_ code: Code, line: Int, _ message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    /// `line 12: code: message`.
    public var description: String {
        "line \(line): \(code): \(message)"
    }
}
