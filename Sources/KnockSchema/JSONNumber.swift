/// Exact conversions of JSON number text (also found inside JSON strings, as proto3 JSON allows
/// for numbers) to the protobuf number types.
enum JSONNumber {
    /// Why a text is not a usable integer.
    enum IntegerFailure: Error {
        case notANumber
        case notAnInteger
        case outOfRange
    }

    /// The sign and magnitude of an integer written in JSON number syntax, exponent and
    /// fraction included (`1e3`, `5.0`), computed exactly without going through `Double`.
    static func integer(_ text: String) throws(IntegerFailure) -> (negative: Bool, magnitude: UInt64) {
        guard let parts = Parts(text) else { throw .notANumber }
        // Digits of the significand without leading zeros, and the power of ten they scale by.
        var digits = Array((parts.integerDigits + parts.fractionDigits).drop { $0 == UInt8(ascii: "0") })
        guard !digits.isEmpty else { return (parts.negative, 0) }
        guard let exponent = parts.exponent else {
            // An exponent of more than nine digits scales a non-zero significand out of range
            // (or, negative, below one).
            throw parts.exponentIsNegative ? .notAnInteger : .outOfRange
        }
        let scale = exponent - parts.fractionDigits.count
        if scale < 0 {
            let dropped = -scale
            guard dropped <= digits.count, digits.suffix(dropped).allSatisfy({ $0 == UInt8(ascii: "0") }) else {
                throw .notAnInteger
            }
            digits.removeLast(dropped)
        } else {
            guard digits.count + scale <= 20 else { throw .outOfRange }
            digits.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: scale))
        }
        var magnitude: UInt64 = 0
        for digit in digits {
            let (shifted, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw .outOfRange }
            magnitude = sum
        }
        return (parts.negative && magnitude != 0, magnitude)
    }

    /// A signed integer within `range`.
    static func signed(_ text: String, in range: ClosedRange<Int64>) throws(IntegerFailure) -> Int64 {
        let (negative, magnitude) = try integer(text)
        let value: Int64
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw .outOfRange }
            value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        } else {
            guard magnitude <= UInt64(Int64.max) else { throw .outOfRange }
            value = Int64(magnitude)
        }
        guard range.contains(value) else { throw .outOfRange }
        return value
    }

    /// An unsigned integer of at most `maximum`.
    static func unsigned(_ text: String, maximum: UInt64) throws(IntegerFailure) -> UInt64 {
        let (negative, magnitude) = try integer(text)
        guard !negative, magnitude <= maximum else { throw .outOfRange }
        return magnitude
    }

    /// A `Double` from JSON number syntax; `nil` when the text is not a JSON number. A finite
    /// number too large for `Double` comes back infinite, for the caller to reject.
    static func double(_ text: String) -> Double? {
        guard Parts(text) != nil else { return nil }
        return Double(text)
    }

    /// Formats a `Double` as a JSON number: the shortest text that reads back as the same value,
    /// without a trailing `.0`.
    static func format(_ value: Double) -> String {
        trimmed(value.description)
    }

    /// Formats a `Float` as a JSON number: the shortest text that reads back as the same `Float`.
    static func format(_ value: Float) -> String {
        trimmed(value.description)
    }

    private static func trimmed(_ text: String) -> String {
        text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// The pieces of a number in JSON syntax: `-? int (. frac)? ([eE] [+-]? exp)?`.
    private struct Parts {
        var negative = false
        var integerDigits: [UInt8] = []
        var fractionDigits: [UInt8] = []
        /// The exponent, or `nil` when it has more than nine digits.
        var exponent: Int? = 0
        var exponentIsNegative = false

        init?(_ text: String) {
            var bytes = Substring(text).utf8[...]
            if bytes.first == UInt8(ascii: "-") {
                negative = true
                bytes = bytes.dropFirst()
            }
            integerDigits = Array(bytes.prefix { Self.isDigit($0) })
            guard !integerDigits.isEmpty else { return nil }
            if integerDigits.count > 1, integerDigits[0] == UInt8(ascii: "0") { return nil }
            bytes = bytes.dropFirst(integerDigits.count)
            if bytes.first == UInt8(ascii: ".") {
                bytes = bytes.dropFirst()
                fractionDigits = Array(bytes.prefix { Self.isDigit($0) })
                guard !fractionDigits.isEmpty else { return nil }
                bytes = bytes.dropFirst(fractionDigits.count)
            }
            if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
                bytes = bytes.dropFirst()
                if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") {
                    exponentIsNegative = bytes.first == UInt8(ascii: "-")
                    bytes = bytes.dropFirst()
                }
                let exponentDigits = Array(bytes.prefix { Self.isDigit($0) }.drop { $0 == UInt8(ascii: "0") })
                let written = bytes.prefix { Self.isDigit($0) }.count
                guard written > 0 else { return nil }
                bytes = bytes.dropFirst(written)
                if exponentDigits.count > 9 {
                    exponent = nil
                } else {
                    let magnitude = exponentDigits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
                    exponent = exponentIsNegative ? -magnitude : magnitude
                }
            }
            guard bytes.isEmpty else { return nil }
        }

        private static func isDigit(_ byte: UInt8) -> Bool {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }
    }
}
