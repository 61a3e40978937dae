import KnockModuleKit

/// Resident tags as the configuration names them (`living-alone`).
extension CommunityResidentTag {
    /// The tags by their configuration names.
    static let named: [(name: String, tag: CommunityResidentTag)] = [
        ("elderly", .elderly), ("living-alone", .livingAlone), ("empty-nest", .emptyNest), ("advanced-age", .advancedAge),
        ("disabled", .disabled), ("unemployed", .unemployed), ("recently-discharged", .recentlyDischarged), ("child", .child),
        ("young-adult", .youngAdult),
    ]

    /// The tag named `name` in configuration (`living-alone`).
    init?(configurationName name: String) {
        guard let entry = Self.named.first(where: { $0.name == name }) else { return nil }
        self = entry.tag
    }
}
