import KnockDomain

/// Checks of the community core's input made before the database is touched: ids and texts
/// both engines can store (PostgreSQL text cannot hold NUL).
enum Validation {
    /// Ids (of units, members, households, residents, visits, needs, alerts): 1 to 128 bytes.
    static let idBytes = 1...128

    /// Checks an id.
    /// - Throws: ``DomainError`` `invalidArgument`.
    static func id(_ id: String, what: String) throws {
        let count = id.utf8.count
        guard idBytes.contains(count) else {
            throw DomainError(.invalidArgument, "the \(what) is \(count) bytes; it must be \(idBytes.lowerBound) to \(idBytes.upperBound)")
        }
        guard !id.utf8.contains(0) else {
            throw DomainError(.invalidArgument, "the \(what) contains a NUL character")
        }
    }

    /// Checks a free text.
    /// - Throws: ``DomainError`` `invalidArgument` for a NUL character, or an empty (blank) text
    ///   where one is needed.
    static func text(_ text: String, what: String, allowsEmpty: Bool = true) throws {
        guard !text.utf8.contains(0) else {
            throw DomainError(.invalidArgument, "the \(what) contains a NUL character")
        }
        if !allowsEmpty && text.allSatisfy(\.isWhitespace) {
            throw DomainError(.invalidArgument, "the \(what) is empty")
        }
    }

    /// Checks a page size.
    /// - Throws: ``DomainError`` `invalidArgument`.
    static func limit(_ limit: Int) throws {
        guard StoreLimits.queryLimit.contains(limit) else {
            throw DomainError(.invalidArgument, "the limit is \(limit); it must be \(StoreLimits.queryLimit.lowerBound) to \(StoreLimits.queryLimit.upperBound)")
        }
    }
}
