/// What matters about a resident for door-knocking work.
public enum ResidentTag: String, Sendable, Hashable, CaseIterable, Codable {
    /// 老年人 (60+).
    case elderly
    /// 独居.
    case livingAlone = "living-alone"
    /// 空巢.
    case emptyNest = "empty-nest"
    /// 高龄 (80+).
    case advancedAge = "advanced-age"
    /// 残疾.
    case disabled
    /// 失业、下岗.
    case unemployed
    /// 近期出院.
    case recentlyDischarged = "recently-discharged"
    /// 儿童.
    case child
    /// 青年, reached online (网上敲).
    case youngAdult = "young-adult"

    /// The Chinese name used on rosters and in the apps.
    public var chineseName: String {
        switch self {
        case .elderly: "老年人"
        case .livingAlone: "独居"
        case .emptyNest: "空巢"
        case .advancedAge: "高龄"
        case .disabled: "残疾"
        case .unemployed: "失业"
        case .recentlyDischarged: "近期出院"
        case .child: "儿童"
        case .youngAdult: "青年"
        }
    }

    /// The tag named `text`, in English (`living-alone`) or Chinese (`独居`; `下岗` too).
    public init?(name text: String) {
        let trimmed = text.trimmed
        guard let tag = ResidentTag.byName[trimmed] ?? ResidentTag(rawValue: trimmed.lowercased()) else { return nil }
        self = tag
    }

    /// Every name ``init(name:)`` reads as written: English, Chinese, and the aliases of `unemployed`.
    private static let byName: [String: ResidentTag] = {
        var names = ["下岗": ResidentTag.unemployed, "失业下岗": .unemployed, "失业、下岗": .unemployed]
        for tag in allCases {
            names[tag.rawValue] = tag
            names[tag.chineseName] = tag
        }
        return names
    }()
}
