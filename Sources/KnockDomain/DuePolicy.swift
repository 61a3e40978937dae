import Foundation

/// How long a need may take by its urgency: critical within 2 hours (随时敲), high within a day,
/// normal within 3 days, low within 7 days. A deployment may set its own.
public struct DuePolicy: Sendable, Hashable, Codable {
    /// Seconds allowed per urgency.
    public var allowance: [Urgency: TimeInterval]

    /// The default policy, or one with other allowances.
    public init(allowance: [Urgency: TimeInterval] = [
        .critical: 2 * 3_600,
        .high: 24 * 3_600,
        .normal: 3 * 86_400,
        .low: 7 * 86_400,
    ]) {
        self.allowance = allowance
    }

    /// When a need of `urgency` raised at `raisedAt` is due.
    public func dueTime(for urgency: Urgency, raisedAt: Date) -> Date {
        raisedAt.addingTimeInterval(allowance[urgency] ?? 3 * 86_400)
    }
}
