extension CommunityResidentTag {
    /// Every tag with the name configurations use (`empty-nest`) and its Chinese name.
    public static let named: [(name: String, tag: CommunityResidentTag, chinese: String)] = [
        ("elderly", .elderly, "老年人"), ("living-alone", .livingAlone, "独居"), ("empty-nest", .emptyNest, "空巢"),
        ("advanced-age", .advancedAge, "高龄"), ("disabled", .disabled, "残疾"), ("unemployed", .unemployed, "失业"),
        ("recently-discharged", .recentlyDischarged, "近期出院"), ("child", .child, "儿童"), ("young-adult", .youngAdult, "青年"),
    ]

    /// The tag a configuration names (`empty-nest`), or `nil`.
    public init?(configurationName name: String) {
        guard let entry = Self.named.first(where: { $0.name == name }) else { return nil }
        self = entry.tag
    }

    /// The name configurations use, `empty-nest`.
    public var configurationName: String { Self.named.first { $0.tag == self }?.name ?? "unspecified" }

    /// The Chinese name, 空巢.
    public var chineseName: String { Self.named.first { $0.tag == self }?.chinese ?? "" }
}
