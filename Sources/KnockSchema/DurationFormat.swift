/// The JSON form of `google.protobuf.Duration`: seconds with up to nine fractional digits and
/// an `s`, `-1.5s`, within ±315,576,000,000 seconds (about 10,000 years).
enum DurationFormat {
    /// The largest number of seconds a duration may have, either sign.
    static let maximumSeconds: Int64 = 315_576_000_000

    /// Formats a duration with 0, 3, 6 or 9 fractional digits; `nil` when out of range or when
    /// seconds and nanos have different signs.
    static func format(seconds: Int64, nanos: Int32) -> String? {
        guard (-maximumSeconds...maximumSeconds).contains(seconds), (-999_999_999...999_999_999).contains(nanos),
              (seconds >= 0 && nanos >= 0) || (seconds <= 0 && nanos <= 0)
        else { return nil }
        let negative = seconds < 0 || nanos < 0
        return (negative ? "-" : "") + String(seconds.magnitude) + TimestampFormat.fraction(Int32(nanos.magnitude)) + "s"
    }

    /// Parses `[-]digits[.1-9 digits]s`; `nil` for anything else or out of range.
    static func parse(_ text: String) -> (seconds: Int64, nanos: Int32)? {
        var scanner = DigitScanner(text)
        let negative = scanner.skip("-")
        guard let seconds = scanner.wholeNumber() else { return nil }
        var nanos: Int64 = 0
        if scanner.skip(".") {
            guard let fraction = scanner.fraction() else { return nil }
            nanos = fraction
        }
        guard scanner.skip("s"), scanner.isAtEnd, seconds <= maximumSeconds else { return nil }
        return negative ? (-seconds, Int32(-nanos)) : (seconds, Int32(nanos))
    }
}
