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
        guard bytes.count - position >= digits else { return nil }
        var value: Int64 = 0
        for _ in 0..<digits {
            let byte = bytes[position]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            position += 1
        }
        return value
    }

    /// Reads 1 to 9 digits after a decimal point, as nanoseconds.
    mutating func fraction() -> Int64? {
        var value: Int64 = 0
        var count = 0
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            guard count < 9 else { return nil }
            value = value * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
            count += 1
            position += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<9 { value *= 10 }
        return value
    }

    /// Reads 1 to 12 digits as a whole number.
    mutating func wholeNumber() -> Int64? {
        var value: Int64 = 0
        var count = 0
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            guard count < 12 else { return nil }
            value = value * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
            count += 1
            position += 1
        }
        return count > 0 ? value : nil
    }
}
