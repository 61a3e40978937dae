import Foundation
import SQLKit
@testable import KnockStore

/// How the database would run a select: PostgreSQL's `EXPLAIN` with sequential scans
/// discouraged (test tables are small enough that a scan is cheaper; the question is whether an
/// index can serve), or SQLite's `EXPLAIN QUERY PLAN`.
enum QueryPlan {
    /// The plan's lines, joined.
    static func explain(_ select: SQLSelectBuilder, on sql: any SQLDatabase) async throws -> String {
        try await explain(select.select, on: sql)
    }

    /// The plan of a statement given as an expression (a query written as text).
    static func explain(_ statement: any SQLExpression, on sql: any SQLDatabase) async throws -> String {
        let (text, binds) = sql.serialize(statement)
        switch sql.dialect.name {
        case "postgresql":
            try await sql.execute("SET enable_seqscan = off")
            let rows = try await sql.raw(SQLQueryString("EXPLAIN \(unsafeRaw: inline(text, binds, dialect: "postgresql"))")).all()
            try await sql.execute("RESET enable_seqscan")
            return try rows.map { try $0.decode(column: "QUERY PLAN", as: String.self) }.joined(separator: "\n")
        default:
            let rows = try await sql.raw(SQLQueryString("EXPLAIN QUERY PLAN \(unsafeRaw: inline(text, binds, dialect: "sqlite"))")).all()
            return try rows.map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
        }
    }

    /// `text` with each bind marker (`$1`, `?1`) replaced by its bind as an SQL literal (strings
    /// quoted, integers bare), for `EXPLAIN`.
    private static func inline(_ text: String, _ binds: [any Encodable & Sendable], dialect: String) -> String {
        var result = text
        for (position, bind) in binds.enumerated().reversed() {
            let marker = dialect == "postgresql" ? "$\(position + 1)" : "?\(position + 1)"
            let literal = bind is any BinaryInteger ? "\(bind)" : "'\(bind)'"
            result = result.replacingOccurrences(of: marker, with: literal)
        }
        return result
    }
}
