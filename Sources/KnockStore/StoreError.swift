/// An error from the store: what went wrong (``code``), a message for people, and the error from
/// the database driver underneath, if there was one.
///
/// The codes are few on purpose: a caller decides from the code whether to fix its request
/// (``Code/invalidArgument``), re-read and retry (``Code/versionConflict``), retry later
/// (``Code/unavailable``) or report a defect (``Code/internal``).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case invalidArgument
            case versionConflict
            case unavailable
            case `internal`
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// The request is malformed or breaks a limit (an empty key, an oversized value, too many
        /// indexed fields, …). Nothing was written. Retrying the same request fails the same way.
        public static let invalidArgument = Code(.invalidArgument)

        /// A write's expected version did not match the stored record (or the record existed when
        /// it was expected to be absent). Nothing was written. Re-read, then retry.
        public static let versionConflict = Code(.versionConflict)

        /// The database cannot be reached or opened, is closed, or asked for the transaction to be
        /// retried. Nothing was written. Retrying later may succeed.
        public static let unavailable = Code(.unavailable)

        /// The database answered something the store did not expect: a defect or a damaged store.
        public static let `internal` = Code(.internal)

        /// The code's name, as written in Swift (`invalidArgument`).
        public var description: String {
            switch wrapped {
            case .invalidArgument: "invalidArgument"
            case .versionConflict: "versionConflict"
            case .unavailable: "unavailable"
            case .internal: "internal"
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code

    /// What went wrong, for people: names the record or setting at fault and the limit broken.
    public var message: String

    /// The driver's error underneath, if any. Decide from ``code``, not from the driver's types:
    /// they differ between SQLite and PostgreSQL.
    public var cause: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of failure this is.
    ///   - message: What went wrong, for people.
    ///   - cause: The driver's error underneath, if any.
    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `code: message (cause)`.
    public var description: String {
        if let cause {
            return "\(code): \(message) (\(cause))"
        }
        return "\(code): \(message)"
    }
}
