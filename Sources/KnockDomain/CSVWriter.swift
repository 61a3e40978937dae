import Foundation

/// Writes comma-separated values that spreadsheets open safely and ``CSVReader`` reads back.
///
/// - A field is quoted when it holds a comma, a quote, a line break, or starts or ends with a
///   space; quotes inside are doubled. Records end with CRLF (RFC 4180).
/// - **Formula injection guard**: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
///   return is one a spreadsheet may run as a formula (`=HYPERLINK(…)` typed into a visit note
///   would become a live link on the host's export). Such a cell is written with a leading `'`,
///   which spreadsheets show as text and do not display. This changes the text of cells such as
///   `-3` or `+86 139…`; ``removingFormulaGuard(_:)`` undoes it for files read back in.
/// - With ``byteOrderMark`` set, the bytes start with the UTF-8 byte order mark, which Excel
///   needs to show Chinese correctly rather than guess a legacy encoding.
public struct CSVWriter: Sendable {
    /// Whether ``data`` starts with the UTF-8 byte order mark (for Excel).
    public var byteOrderMark: Bool
    /// Whether cells that could run as formulas get a leading `'`.
    public var guardsFormulas: Bool
    /// The records written so far, each ending with CRLF.
    public private(set) var text: String = ""

    /// Creates an empty writer.
    /// - Parameters:
    ///   - byteOrderMark: Start ``data`` with the UTF-8 byte order mark, for Excel.
    ///   - guardsFormulas: Prefix `'` to cells a spreadsheet could run as formulas.
    public init(byteOrderMark: Bool = false, guardsFormulas: Bool = true) {
        self.byteOrderMark = byteOrderMark
        self.guardsFormulas = guardsFormulas
    }

    /// Appends one record.
    /// - Parameter fields: The record's cells, in column order.
    public mutating func append(_ fields: [String]) {
        var first = true
        for field in fields {
            if !first { text.append(",") }
            first = false
            text.append(escaped(field))
        }
        text.append("\r\n")
    }

    /// The file: the optional byte order mark, then ``text`` in UTF-8.
    public var data: Data {
        var data = Data(byteOrderMark ? [0xEF, 0xBB, 0xBF] : [])
        data.append(contentsOf: text.utf8)
        return data
    }

    /// `field` as written: guarded and quoted when needed.
    public func escaped(_ field: String) -> String {
        var field = field
        if guardsFormulas, let first = field.unicodeScalars.first, Self.formulaStarts.contains(first) {
            field = "'" + field
        }
        let needsQuotes = field.utf8.first == 0x20 || field.utf8.last == 0x20
            || field.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `cell` without the `'` ``escaped(_:)`` put before a formula-like start; any other cell
    /// unchanged.
    public static func removingFormulaGuard(_ cell: String) -> String {
        var scalars = cell.unicodeScalars.makeIterator()
        guard scalars.next() == "'", let second = scalars.next(), formulaStarts.contains(second) else { return cell }
        return String(cell.dropFirst())
    }

    /// The first characters that make a spreadsheet read a cell as a formula.
    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
}
