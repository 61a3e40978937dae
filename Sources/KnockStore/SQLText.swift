import SQLKit

/// Statements on the visit path written once as text. SQLKit's builders serialise every
/// identifier on every call, and on the visit path that cost more than running the statements;
/// these are built once per statement kind and only bind values per call. Identifiers are
/// double-quoted, which SQLite and PostgreSQL both read (`by` and `at` are column names).
enum SQLText {
    /// `"name"`.
    static func quoted(_ identifier: String) -> String {
        // Identifiers are the store's own names: a quote inside one is doubled, but that is
        // never the case, and Foundation's replacing was a noticeable part of every statement.
        guard identifier.utf8.contains(UInt8(ascii: "\"")) else { return "\"" + identifier + "\"" }
        return "\"" + identifier.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    /// `"a", "b", "c"`, each column qualified by `table` if given.
    static func columns(_ columns: [String], table: String? = nil) -> String {
        columns.map { column in (table.map { quoted($0) + "." } ?? "") + quoted(column) }.joined(separator: ", ")
    }

    /// `INSERT INTO "table" ("a", "b") VALUES ` — follow it with the rows.
    static func insert(into table: String, columns: [String]) -> String {
        "INSERT INTO \(quoted(table)) (\(Self.columns(columns))) VALUES "
    }

    /// `SELECT "a", "b" FROM "table" WHERE ` — follow it with the condition.
    static func select(_ columns: [String], from table: String) -> String {
        "SELECT \(Self.columns(columns)) FROM \(quoted(table)) WHERE "
    }

    /// One row of values for ``insert(into:columns:)``: `(?, ?, …)`.
    static func row(_ values: [any SQLExpression]) -> any SQLExpression {
        SQLGroupExpression(SQLList(values))
    }
}
