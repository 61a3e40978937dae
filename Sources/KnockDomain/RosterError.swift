/// A household roster that was not imported, and every reason why: the file could not be read,
/// its header lacks columns, or rows are wrong — each bad row with its line, column and reason, so
/// that one pass over the spreadsheet fixes them all.
public struct RosterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case unreadableFile
            case invalidHeader
            case invalidRows
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// The file is not UTF-8 CSV (``cause`` says where).
        public static let unreadableFile = Code(.unreadableFile)
        /// The file is empty, or its header row misses a column or names one twice.
        public static let invalidHeader = Code(.invalidHeader)
        /// Rows are wrong; ``problems`` lists each.
        public static let invalidRows = Code(.invalidRows)

        /// The code's name, as written in Swift (`invalidRows`).
        public var description: String {
            switch wrapped {
            case .unreadableFile: "unreadableFile"
            case .invalidHeader: "invalidHeader"
            case .invalidRows: "invalidRows"
            }
        }
    }

    /// One thing wrong with one row (or the header).
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The physical line of the file, from 1 (the header).
        public var line: Int
        /// The column's header name; `nil` for the whole row.
        public var column: String?
        /// What is wrong, for people.
        public var reason: String

        /// Creates a problem.
        /// - Parameters:
        ///   - line: The physical line, from 1.
        ///   - column: The column's header name, `nil` for the whole row.
        ///   - reason: What is wrong.
        public init(line: Int, column: String?, reason: String) {
            self.line = line
            self.column = column
            self.reason = reason
        }

        /// `line 7, birth_year: "19x0" is not a year`.
        public var description: String {
            "line \(line)" + (column.map { ", \($0)" } ?? "") + ": \(reason)"
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A summary for people.
    public var message: String
    /// Every problem found, in line order.
    public var problems: [Problem]
    /// The CSV error beneath an ``Code/unreadableFile``.
    public var cause: CSVError?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of failure this is.
    ///   - message: A summary for people.
    ///   - problems: Every problem found.
    ///   - cause: The CSV error beneath, if any.
    public init(_ code: Code, _ message: String, problems: [Problem] = [], cause: CSVError? = nil) {
        self.code = code
        self.message = message
        self.problems = problems
        self.cause = cause
    }

    /// The code, the message and the first 20 problems, one a line.
    public var description: String {
        var lines = ["\(code): \(message)"] + problems.prefix(20).map { "  \($0)" }
        if problems.count > 20 { lines.append("  … and \(problems.count - 20) more") }
        return lines.joined(separator: "\n")
    }
}
