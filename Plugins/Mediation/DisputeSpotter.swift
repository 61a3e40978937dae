import KnockModuleKit

/// Spots a likely dispute in a visit's notes (its observations and requests): the words that
/// match, case-insensitively, and a guess at the kind of dispute.
struct DisputeSpotter: Sendable {
    let words: [String]

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
    static let familyWords = ["家人", "子女", "儿子", "女儿", "儿媳", "女婿", "老伴", "夫妻", "赡养", "family"]
    static let propertyWords = ["物业", "业委会", "property management"]
    static let neighbourWords = ["邻居", "楼上", "楼下", "对门", "隔壁", "楼道", "neighbour", "neighbor"]

    /// The dispute in `visit`'s notes, or `nil` if no word matches.
    func spot(_ visit: CommunityVisit) -> Sighting? {
        let notes = ([visit.observations] + visit.requests).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        let text = notes.joined(separator: "；")
        let lowered = text.lowercased()
        let matched = words.filter { lowered.contains($0.lowercased()) }
        guard !matched.isEmpty else { return nil }
        return Sighting(words: matched, excerpt: String(text.prefix(500)), kind: Self.kind(of: lowered))
    }

    /// The kind of dispute the (lowercased) notes suggest: family, property, neighbour or other.
    static func kind(of lowered: String) -> MediationDisputeKind {
        if familyWords.contains(where: lowered.contains) { return .family }
        if propertyWords.contains(where: lowered.contains) { return .property }
        if neighbourWords.contains(where: lowered.contains) { return .neighbour }
        return .other
    }
}
