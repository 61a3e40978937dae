import KnockModuleKit

/// Resident tags as the configuration names them (`empty-nest`), with their Chinese names.
extension CommunityResidentTag {
    /// The tags by their configuration names, with their Chinese names.
    static let named: [(name: String, tag: CommunityResidentTag, chinese: String)] = [
        ("elderly", .elderly, "老年人"), ("living-alone", .livingAlone, "独居"), ("empty-nest", .emptyNest, "空巢"),
        ("advanced-age", .advancedAge, "高龄"), ("disabled", .disabled, "残疾"), ("unemployed", .unemployed, "失业"),
        ("recently-discharged", .recentlyDischarged, "近期出院"), ("child", .child, "儿童"), ("young-adult", .youngAdult, "青年"),
    ]

    /// The tag named `name` in configuration (`empty-nest`).
    init?(configurationName name: String) {
        guard let entry = Self.named.first(where: { $0.name == name }) else { return nil }
        self = entry.tag
    }

    /// The configuration name.
    var configurationName: String { Self.named.first { $0.tag == self }?.name ?? "unspecified" }

    /// The Chinese name.
    var chineseName: String { Self.named.first { $0.tag == self }?.chinese ?? "" }
}
