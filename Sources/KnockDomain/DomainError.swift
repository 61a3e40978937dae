/// An error from the community core's rules: what went wrong (``code``), a message for people,
/// and what it was about.
///
/// A caller decides from the code: fix the request (``Code/invalidArgument``,
/// ``Code/invalidTransition``), look again (``Code/notFound``), or ask someone with a wider scope
/// (``Code/outOfScope``).
public struct DomainError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case invalidArgument
            case notFound
            case invalidTransition
            case outOfScope
            case alreadyExists
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// A field is missing, malformed or out of range. Nothing changed.
        public static let invalidArgument = Code(.invalidArgument)
        /// An id names nothing (that the caller may see). Nothing changed.
        public static let notFound = Code(.notFound)
        /// The need's lifecycle does not allow this step from its current status. Nothing changed.
        public static let invalidTransition = Code(.invalidTransition)
        /// The record exists but lies outside the caller's scope. Nothing changed.
        public static let outOfScope = Code(.outOfScope)
        /// An id is already taken by a different record. Nothing changed.
        public static let alreadyExists = Code(.alreadyExists)

        /// The code's name, as written in Swift (`invalidTransition`).
        public var description: String {
            switch wrapped {
            case .invalidArgument: "invalidArgument"
            case .notFound: "notFound"
            case .invalidTransition: "invalidTransition"
            case .outOfScope: "outOfScope"
            case .alreadyExists: "alreadyExists"
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong, for people: names the record and the rule.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of failure this is.
    ///   - message: What went wrong, for people.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String {
        "\(code): \(message)"
    }
}
