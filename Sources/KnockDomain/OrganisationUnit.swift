/// A level of the organisation a street office works in: district (区) → street (街道) →
/// community (社区) → grid (网格).
public enum OrganisationLevel: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case district
    case street
    case community
    case grid

    /// The level directly above, `nil` for a district.
    public var parent: OrganisationLevel? {
        switch self {
        case .district: nil
        case .street: .district
        case .community: .street
        case .grid: .community
        }
    }

    private var depth: Int {
        switch self {
        case .district: 0
        case .street: 1
        case .community: 2
        case .grid: 3
        }
    }

    /// Wider levels order first: `.district < .grid`.
    public static func < (lhs: OrganisationLevel, rhs: OrganisationLevel) -> Bool {
        lhs.depth < rhs.depth
    }
}

/// One district, street, community or grid, and where it sits.
public struct OrganisationUnit: Sendable, Hashable, Codable {
    /// Stable id, e.g. `qinghe-g03` (青和居 grid 3).
    public var id: String
    public var level: OrganisationLevel
    /// The unit's own name: 工人村街, 青和居社区, 第3网格.
    public var name: String
    /// The unit it belongs to; `nil` only for a district.
    public var parentID: String?

    /// Creates a unit.
    /// - Parameters:
    ///   - id: Stable id.
    ///   - level: District, street, community or grid.
    ///   - name: The unit's name.
    ///   - parentID: The unit it belongs to; `nil` only for a district.
    public init(id: String, level: OrganisationLevel, name: String, parentID: String?) {
        self.id = id
        self.level = level
        self.name = name
        self.parentID = parentID
    }
}
