/// Reads fixed-width decimal fields and literal characters from a short ASCII text.
struct DigitScanner {
    private let bytes: [UInt8]
    private var position = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    var isAtEnd: Bool {
        position == bytes.count
    }

    /// Skips one ASCII character if it is next.
    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    /// Reads exactly `digits` decimal digits.
    mutating func number(digits: Int) -> Int64? {
        let start = position
        guard let (value, count) = digitRun(atMost: digits), count == digits else {
            position = start
            return nil
        }
        return value
    }

    /// Reads 1 to 9 digits after a decimal point, as nanoseconds.
    mutating func fraction() -> Int64? {
        guard let (value, count) = digitRun(atMost: 9), count > 0 else { return nil }
        return (count..<9).reduce(value) { scaled, _ in scaled * 10 }
    }

    /// Reads 1 to 12 digits as a whole number.
    mutating func wholeNumber() -> Int64? {
        guard let (value, count) = digitRun(atMost: 12), count > 0 else { return nil }
        return value
    }

    /// Reads the decimal digits that follow; `nil` when there are more than `limit`.
    private mutating func digitRun(atMost limit: Int) -> (value: Int64, count: Int)? {
        var value: Int64 = 0
        var count = 0
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            guard count < limit else { return nil }
            value = value * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
            count += 1
            position += 1
        }
        return (value, count)
    }
}
