/// What came of a knock.
public enum Outcome: String, Sendable, Hashable, CaseIterable, Codable {
    /// Met the resident.
    case met
    /// Nobody answered.
    case noAnswer = "no-answer"
    /// The resident refused to talk.
    case refused
    /// A note was left.
    case noteLeft = "note-left"
}
