import Foundation
import KnockModuleKit

/// Whether a pair has lapsed as of a time: active, and no check-in (or, before the first, no
/// pairing) within the last `lapseDays` days.
struct PairLapse: Sendable, Equatable {
    /// Whole days since the last check-in (or the pairing).
    let days: Int
    let lapsed: Bool

    init(pair: NeighbourPairingPair, asOf: Date, lapseDays: Int) {
        let since = pair.hasLastCheckInAt ? pair.lastCheckInAt.date : pair.pairedAt.date
        let seconds = asOf.timeIntervalSince(since)
        days = max(0, Int(seconds / 86_400))
        lapsed = pair.active && seconds >= Double(lapseDays) * 86_400
    }

    /// `pair` as an answer shows it: with `lapsed` and `days_since_check_in` filled in.
    static func shown(_ pair: NeighbourPairingPair, asOf: Date, lapseDays: Int) -> NeighbourPairingPair {
        var shown = pair
        let lapse = PairLapse(pair: pair, asOf: asOf, lapseDays: lapseDays)
        shown.lapsed = lapse.lapsed
        shown.daysSinceCheckIn = UInt32(lapse.days)
        return shown
    }
}
