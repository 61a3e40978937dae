/// Plain-text tables that line up with Chinese text (wide characters count as two columns).
enum Table {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { width(of: $0[column]) }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                let cell = row[column]
                return column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - width(of: cell) + 2)
            }.joined()
        }.joined(separator: "\n")
    }

    static func width(of text: String) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            // CJK ideographs, fullwidth forms and Hangul take two columns in a terminal.
            let wide = (0x1100...0x115F).contains(scalar.value) || (0x2E80...0xA4CF).contains(scalar.value)
                || (0xAC00...0xD7A3).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value)
                || (0xFF00...0xFF60).contains(scalar.value) || (0xFFE0...0xFFE6).contains(scalar.value)
            return total + (wide ? 2 : 1)
        }
    }
}
