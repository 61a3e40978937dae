import Foundation

/// What a method suggests after assessing a visit or handling an event. The host applies it,
/// records the method as its provenance, and drops it if it repeats what is already there.
public struct Suggestion: Sendable, Hashable {
    public var kind: Kind
    /// Who suggested it (the host sets this from the module's identity).
    public var suggestedBy: Provenance
    /// Why, for the record.
    public var reason: String

    /// The suggestion itself.
    public enum Kind: Sendable, Hashable {
        case raiseNeed(residentID: String, category: String, urgency: Urgency, summary: String, ownerModule: String?)
        case flagKeyPerson(residentID: String, reason: String, cadenceDays: Int, until: Date?)
        case unflagKeyPerson(residentID: String, reason: String)
        case scheduleKnock(PlannedKnock)
        /// `id`: the module's for the alert (it raises the alert once, and the module knows
        /// it later); `nil`: the host's.
        case raiseAlert(residentID: String, urgency: Urgency, message: String, id: String? = nil)
        case refer(residentID: String, toModule: String, note: String)
    }

    /// Creates a suggestion.
    public init(kind: Kind, suggestedBy: Provenance, reason: String = "") {
        self.kind = kind
        self.suggestedBy = suggestedBy
        self.reason = reason
    }

    /// The resident it is about.
    public var residentID: String {
        switch kind {
        case .raiseNeed(let residentID, _, _, _, _), .flagKeyPerson(let residentID, _, _, _),
             .unflagKeyPerson(let residentID, _), .raiseAlert(let residentID, _, _, _), .refer(let residentID, _, _):
            residentID
        case .scheduleKnock(let knock):
            knock.residentID
        }
    }
}
