/// The part of the organisation a caller may see and change: a whole district or street, one
/// community, or some grids. Every read and write of the community core runs within one.
public struct Scope: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The level the scope is given at.
    public var level: OrganisationLevel
    /// The units at that level the caller may reach (one street, one community, or several grids).
    public var unitIDs: Set<String>

    /// Creates a scope.
    /// - Parameters:
    ///   - level: District, street, community or grid.
    ///   - unitIDs: The units at that level; never empty.
    public init(level: OrganisationLevel, unitIDs: Set<String>) {
        self.level = level
        self.unitIDs = unitIDs
    }

    /// Everything in the district `id` (the host and its administrator).
    public static func district(_ id: String) -> Scope { Scope(level: .district, unitIDs: [id]) }
    /// Everything in the street `id`.
    public static func street(_ id: String) -> Scope { Scope(level: .street, unitIDs: [id]) }
    /// Everything in the community `id`.
    public static func community(_ id: String) -> Scope { Scope(level: .community, unitIDs: [id]) }
    /// The grids `ids` (a grid member's own grids).
    public static func grids(_ ids: Set<String>) -> Scope { Scope(level: .grid, unitIDs: ids) }

    /// Whether a record placed at `place` lies within the scope.
    public func contains(_ place: Place) -> Bool {
        switch level {
        case .district: true
        case .street: unitIDs.contains(place.streetID)
        case .community: unitIDs.contains(place.communityID)
        case .grid: unitIDs.contains(place.gridID)
        }
    }

    /// `community:qinghe`, `grid:qinghe-g01,qinghe-g02`.
    public var description: String {
        "\(level.rawValue):\(unitIDs.sorted().joined(separator: ","))"
    }

    /// Where a record sits: its street, community and grid.
    public struct Place: Sendable, Hashable {
        public var streetID: String
        public var communityID: String
        public var gridID: String

        /// Creates a place.
        public init(streetID: String, communityID: String, gridID: String) {
            self.streetID = streetID
            self.communityID = communityID
            self.gridID = gridID
        }
    }
}
