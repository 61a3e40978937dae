import Foundation

/// Reads comma-separated values as RFC 4180 writes them, and as spreadsheets save them.
///
/// - Fields are separated by commas; records end at CRLF, LF or a lone CR (old Mac exports).
/// - A field in double quotes may hold commas, line breaks and doubled quotes (`""` for `"`); its
///   line breaks are kept as written. After the closing quote only a comma or a line end may come.
/// - A quote inside an unquoted field is taken literally (`3"门` stays `3"门`).
/// - A UTF-8 byte order mark at the start (Excel's "CSV UTF-8") is dropped. Other encodings are
///   refused with the first line that is not UTF-8.
/// - Empty lines are skipped; a record with only commas is kept (all its fields empty).
/// - Each record carries the physical line it starts on (1 = the first line of the file), so that
///   errors can point at the line a spreadsheet shows.
public struct CSVReader: Sendable {
    /// One record: its fields and the line it starts on.
    public struct Record: Sendable, Hashable {
        /// The physical line the record starts on, from 1.
        public var line: Int
        public var fields: [String]

        /// Creates a record.
        /// - Parameters:
        ///   - line: The physical line the record starts on, from 1.
        ///   - fields: The record's fields.
        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    /// Creates a reader.
    public init() {}

    /// Reads every record of `data`.
    /// - Parameter data: The file's bytes, UTF-8 with or without a byte order mark.
    /// - Returns: The records in file order.
    /// - Throws: ``CSVError`` `invalidUTF8` with the first line that is not UTF-8,
    ///   `unterminatedQuote` with the line the open field starts on, `textAfterClosingQuote` with
    ///   the line of the stray text.
    public func records(in data: Data) throws(CSVError) -> [Record] {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        try Self.checkUTF8(bytes)
        return try Self.parse(bytes)
    }

    /// Reads every record of `text`.
    /// - Parameter text: The file's text; a leading byte order mark is dropped.
    /// - Returns: The records in file order.
    /// - Throws: ``CSVError`` as ``records(in:)`` does, never `invalidUTF8`.
    public func records(in text: String) throws(CSVError) -> [Record] {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        return try Self.parse(bytes)
    }

    /// Finds the first line that is not UTF-8. A line feed never occurs inside a multi-byte
    /// sequence, so lines can be checked one by one.
    private static func checkUTF8(_ bytes: [UInt8]) throws(CSVError) {
        guard String(validating: bytes, as: UTF8.self) == nil else { return }
        var line = 1
        for piece in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if String(validating: piece, as: UTF8.self) == nil {
                throw CSVError(.invalidUTF8, line: line, "line \(line) is not UTF-8; save the file as CSV UTF-8")
            }
            line += 1
        }
    }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(0x0D), lf = UInt8(0x0A)

    private static func parse(_ bytes: [UInt8]) throws(CSVError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1
        var index = 0
        let count = bytes.count
        // Whether the current field has begun (a byte or a quote read), and the current record.
        var fieldStarted = false, recordStarted = false

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
        }
        func endRecord() {
            if recordStarted {
                endField()
                records.append(Record(line: recordLine, fields: fields))
            }
            fields = []
            recordStarted = false
        }
        func isLineEnd(_ at: Int) -> Bool { bytes[at] == lf || bytes[at] == cr }
        /// Whether the byte at `at` ends a line: LF, or a CR not followed by LF.
        func countsALine(_ at: Int) -> Bool {
            bytes[at] == lf || (bytes[at] == cr && !(at + 1 < count && bytes[at + 1] == lf))
        }

        while index < count {
            let byte = bytes[index]
            if !fieldStarted, byte == quote {
                // A quoted field: up to the closing quote; a doubled quote is one.
                let openedOn = line
                fieldStarted = true
                recordStarted = true
                index += 1
                while true {
                    guard index < count else {
                        throw CSVError(.unterminatedQuote, line: openedOn, "the quoted field opened on line \(openedOn) never closes")
                    }
                    if bytes[index] == quote {
                        guard index + 1 < count, bytes[index + 1] == quote else { break }
                        index += 1
                    } else if countsALine(index) {
                        line += 1
                    }
                    field.append(bytes[index])
                    index += 1
                }
                index += 1
                guard index == count || bytes[index] == comma || isLineEnd(index) else {
                    throw CSVError(
                        .textAfterClosingQuote, line: line,
                        "text after a closing quote on line \(line); a quote inside a quoted field is written \"\""
                    )
                }
                continue
            }
            if byte == comma {
                recordStarted = true
                endField()
            } else if byte == cr || byte == lf {
                endRecord()
                if countsALine(index) {
                    line += 1
                    recordLine = line
                }
            } else {
                field.append(byte)
                fieldStarted = true
                recordStarted = true
            }
            index += 1
        }
        endRecord()
        return records
    }
}
