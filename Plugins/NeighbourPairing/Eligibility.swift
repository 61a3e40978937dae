import KnockModuleKit

/// Who may be paired: an elder living alone (独居), empty-nest (空巢) or of advanced age (高龄).
enum Eligibility {
    /// The tags that make a resident eligible.
    static let tags: [CommunityResidentTag] = [.livingAlone, .emptyNest, .advancedAge]

    /// Whether a resident with `tags` may be paired.
    static func isEligible(_ tags: [CommunityResidentTag]) -> Bool {
        tags.contains { Self.tags.contains($0) }
    }

    /// The eligible tags of `tags` in words: "living alone, advanced age".
    static func describe(_ tags: [CommunityResidentTag]) -> String {
        Self.tags.filter(tags.contains).map { tag in
            switch tag {
            case .livingAlone: "living alone"
            case .emptyNest: "empty-nest"
            default: "advanced age"
            }
        }.joined(separator: ", ")
    }
}
