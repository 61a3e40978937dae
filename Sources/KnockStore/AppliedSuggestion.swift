import KnockDomain

/// What became of one suggestion given to ``KnockDatabase/apply(_:visitID:at:lifecycle:)``.
public struct AppliedSuggestion: Sendable, Hashable {
    /// The suggestion, as given.
    public var suggestion: Suggestion
    /// What was done with it.
    public var outcome: Outcome

    /// What was done with a suggestion.
    public enum Outcome: Sendable, Hashable {
        /// A record was made: the need's, alert's, scheduled knock's or referral's id, or the
        /// resident's id for a key-person flag or unflag.
        case applied(id: String)
        /// It repeats what is there already, which was left as it was: that record's id (for an
        /// unflag, the resident's: the reason was not there).
        case duplicate(existingID: String)
        /// It cannot be applied (an unknown resident, an empty category, …): why. Nothing was written.
        case rejected(reason: String)
    }

    /// Creates an applied suggestion.
    /// - Parameters:
    ///   - suggestion: The suggestion.
    ///   - outcome: What was done with it.
    public init(suggestion: Suggestion, outcome: Outcome) {
        self.suggestion = suggestion
        self.outcome = outcome
    }
}
