import KnockModuleKit

/// Spots a likely dispute in a visit's notes (its observations and requests): the words that
/// match, case-insensitively, and a guess at the kind of dispute.
struct DisputeSpotter: Sendable {
    let words: WordList

    /// A spotter of `words`.
    init(words: [String]) {
        self.words = WordList(words)
    }

    /// What was spotted in a visit.
    struct Sighting: Sendable, Equatable {
        /// The words that matched, in configuration order.
        var words: [String]
        /// The notes they matched in, joined.
        var excerpt: String
        /// The kind guessed from the notes.
        var kind: MediationDisputeKind
    }

    /// Words that say who the other side is.
    static let familyWords = WordList(["家人", "子女", "儿子", "女儿", "儿媳", "女婿", "老伴", "夫妻", "赡养", "family"])
    static let propertyWords = WordList(["物业", "业委会", "property management"])
    static let neighbourWords = WordList(["邻居", "楼上", "楼下", "对门", "隔壁", "楼道", "neighbour", "neighbor"])

    /// The dispute in `visit`'s notes, or `nil` if no word matches.
    func spot(_ visit: CommunityVisit) -> Sighting? {
        // Most visits mention no dispute: they are let go without building the excerpt.
        guard words.matchesAny(in: visit.observations) || visit.requests.contains(where: { words.matchesAny(in: $0) }) else { return nil }
        let notes = ([visit.observations] + visit.requests).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        let text = notes.joined(separator: "；")
        let matched = words.matches(in: text)
        guard !matched.isEmpty else { return nil }
        return Sighting(words: matched, excerpt: String(text.prefix(500)), kind: Self.kind(of: text))
    }

    /// The kind of dispute the notes suggest: family, property, neighbour or other.
    static func kind(of text: String) -> MediationDisputeKind {
        if familyWords.matchesAny(in: text) { return .family }
        if propertyWords.matchesAny(in: text) { return .property }
        if neighbourWords.matchesAny(in: text) { return .neighbour }
        return .other
    }
}
