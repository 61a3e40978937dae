/// A person who knocks: a member of one or more grid groups ("定人定岗定责": a fixed person, post
/// and responsibility).
public struct Member: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var roles: Set<MemberRole>
    /// The community the member works for.
    public var communityID: String
    /// The grids the member is assigned to; the first is the member's own grid.
    public var gridIDs: [String]
    public var phone: String

    /// Creates a member.
    /// - Parameters:
    ///   - id: Stable id; also the id in the member's certificate (`knock://member/<id>`).
    ///   - name: The member's name.
    ///   - roles: What the member is.
    ///   - communityID: The community the member works for.
    ///   - gridIDs: The grids the member is assigned to.
    ///   - phone: A contact number.
    public init(id: String, name: String, roles: Set<MemberRole>, communityID: String, gridIDs: [String], phone: String = "") {
        self.id = id
        self.name = name
        self.roles = roles
        self.communityID = communityID
        self.gridIDs = gridIDs
        self.phone = phone
    }
}
