import Foundation

/// A roster file as rows under a header that names the columns, in any order (other columns are
/// ignored): what every roster import reads first.
struct RosterTable {
    /// Reads `data` as CSV and finds each of `columns` in its header row.
    /// - Parameters:
    ///   - data: The file.
    ///   - what: The file as the errors name it ("the roster").
    ///   - columns: The columns it must have.
    /// - Returns: The header, each column's index, and the rows after the header.
    /// - Throws: ``RosterError``: `unreadableFile` if the file is not UTF-8 CSV; `invalidHeader` if
    ///   it is empty, or its header lacks a column or repeats one.
    static func read(
        _ data: Data, what: String, columns: [String]
    ) throws(RosterError) -> (header: CSVReader.Record, columns: [String: Int], rows: ArraySlice<CSVReader.Record>) {
        let records: [CSVReader.Record]
        do {
            records = try CSVReader().records(in: data)
        } catch {
            throw RosterError(.unreadableFile, "\(what) cannot be read: \(error.message)",
                              problems: [.init(line: error.line, column: nil, reason: error.message)], cause: error)
        }
        guard let header = records.first else {
            throw RosterError(.invalidHeader, "\(what) is empty; its first row must name the columns")
        }
        var indices: [String: Int] = [:]
        var problems: [RosterError.Problem] = []
        for (index, name) in header.fields.enumerated() {
            let name = name.trimmed.lowercased()
            guard columns.contains(name) else { continue }
            if indices[name] != nil {
                problems.append(.init(line: header.line, column: name, reason: "column \(name) appears twice"))
            }
            indices[name] = index
        }
        for name in columns where indices[name] == nil {
            problems.append(.init(line: header.line, column: name, reason: "the header has no column \(name)"))
        }
        guard problems.isEmpty else {
            throw RosterError(.invalidHeader, "the header row must name the columns \(columns.joined(separator: ","))", problems: problems)
        }
        return (header, indices, records.dropFirst())
    }

    /// Gives `read` each row of a table that holds something (rows whose cells are all empty are
    /// skipped) with its cells by column name (trimmed, a spreadsheet's formula guard removed)
    /// and a way to report a problem on it; a row with another number of cells than the header
    /// is reported instead. Problems name `file` before their column.
    /// - Returns: How many rows there were.
    static func forEachRow(
        _ table: (header: CSVReader.Record, columns: [String: Int], rows: ArraySlice<CSVReader.Record>),
        file: String, problems: inout [RosterError.Problem],
        _ read: (_ line: Int, _ cell: (String) -> String, _ problem: (_ column: String?, _ reason: String) -> Void) -> Void
    ) -> Int {
        var count = 0
        for row in table.rows where !row.fields.allSatisfy({ $0.trimmed.isEmpty }) {
            count += 1
            func problem(_ column: String?, _ reason: String) {
                problems.append(.init(line: row.line, column: column.map { "\(file) \($0)" } ?? file, reason: reason))
            }
            guard row.fields.count == table.header.fields.count else {
                problem(nil, "has \(row.fields.count) cells; the header has \(table.header.fields.count)")
                continue
            }
            read(row.line, { CSVWriter.removingFormulaGuard(row.fields[table.columns[$0]!].trimmed) }, problem)
        }
        return count
    }

    /// The words of a cell listing several, separated by `;`, `；`, `、`, `,` or `，`, trimmed;
    /// empty ones dropped.
    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == ";" || $0 == "；" || $0 == "、" || $0 == "," || $0 == "，" })
            .map { String($0).trimmed }
            .filter { !$0.isEmpty }
    }
}
