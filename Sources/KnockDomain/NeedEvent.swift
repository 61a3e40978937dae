import Foundation

/// One step in a need's history: who moved it from what to what, when and why.
public struct NeedEvent: Sendable, Hashable, Codable {
    public var at: Date
    public var by: Provenance
    /// `nil` for the event that raised the need.
    public var from: NeedStatus?
    public var to: NeedStatus
    /// The owner after this step.
    public var owner: NeedOwner?
    /// The reason or note given with the step.
    public var note: String

    /// Creates an event.
    public init(at: Date, by: Provenance, from: NeedStatus?, to: NeedStatus, owner: NeedOwner?, note: String) {
        self.at = at
        self.by = by
        self.from = from
        self.to = to
        self.owner = owner
        self.note = note
    }
}
