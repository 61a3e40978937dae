extension Scope {
    /// Reads a scope as ``description`` writes it: `district:qingshan`, `street:gongrencun`,
    /// `community:qinghe`, `grid:qinghe-g01,qinghe-g02`. Only grids may list several units.
    /// - Parameter text: The scope.
    /// - Throws: ``DomainError`` `invalidArgument` naming what is wrong.
    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else {
            throw DomainError(.invalidArgument, "\"\(text)\" is not a scope: write level:id, e.g. community:qinghe or grid:qinghe-g01,qinghe-g02")
        }
        let levelText = String(text[..<colon])
        guard let level = OrganisationLevel(rawValue: levelText) else {
            throw DomainError(.invalidArgument, "\"\(levelText)\" is not a level: district, street, community or grid")
        }
        let ids = text[text.index(after: colon)...].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for id in ids where id.isEmpty || !id.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) {
            throw DomainError(.invalidArgument, "\"\(id)\" in scope \(text) is not a unit id")
        }
        guard ids.count == 1 || level == .grid else {
            throw DomainError(.invalidArgument, "scope \(text): only grids may list several units; give one \(level.rawValue)")
        }
        self.init(level: level, unitIDs: Set(ids))
    }
}
