/// When a household is usually in: a span of minutes on some weekdays (见缝插针: evenings,
/// weekends, around shift work).
public struct AvailabilityWindow: Sendable, Hashable, Codable {
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    public var weekdays: Set<Int>
    /// Minutes after midnight, local time.
    public var startMinute: Int
    /// Minutes after midnight, local time; after `startMinute`.
    public var endMinute: Int

    /// Creates a window.
    /// - Parameters:
    ///   - weekdays: ISO weekdays (1 = Monday … 7 = Sunday).
    ///   - startMinute: Minutes after midnight.
    ///   - endMinute: Minutes after midnight, after `startMinute`.
    public init(weekdays: Set<Int>, startMinute: Int, endMinute: Int) {
        self.weekdays = weekdays
        self.startMinute = startMinute
        self.endMinute = endMinute
    }
}
