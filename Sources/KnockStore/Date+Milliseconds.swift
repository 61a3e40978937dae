import Foundation

extension Date {
    /// Milliseconds since 1970, as the community tables keep times (rounded to the nearest).
    var milliseconds: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }

    /// The time `milliseconds` after 1970.
    init(milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// The time as stored: to the millisecond.
    var storedPrecision: Date {
        Date(milliseconds: milliseconds)
    }
}
