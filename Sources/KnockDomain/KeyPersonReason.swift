import Foundation

/// One reason a resident is on the key-persons list, and who put it there.
public struct KeyPersonReason: Sendable, Hashable, Codable {
    /// In words a grid member understands: 独居高龄, 近期出院.
    public var reason: String
    public var flaggedBy: Provenance
    public var since: Date
    /// Until when; `nil` for open-ended.
    public var until: Date?

    /// Creates a reason.
    public init(reason: String, flaggedBy: Provenance, since: Date, until: Date? = nil) {
        self.reason = reason
        self.flaggedBy = flaggedBy
        self.since = since
        self.until = until
    }
}
