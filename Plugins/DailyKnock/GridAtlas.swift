import KnockModuleKit

/// Which community each grid belongs to, learnt from the residents the module sees (visits
/// assessed, residents read) and kept in the module's store (`grids`, keyed by grid id): the
/// key-persons list names a key person's grid but not their community.
struct GridAtlas: Sendable {
    let store: any ModuleStore
    /// What this process already stored (`context.learned`: a grid seen again costs no read).
    var learned = LearnedFacts()

    static let collection = "grids"

    /// Remembers the grid and community of `resident`.
    func learn(_ resident: CommunityResident) async throws {
        guard !resident.gridID.isEmpty, !resident.communityID.isEmpty else { return }
        try await learned.keep("\(Self.collection)/\(resident.gridID)", as: resident.communityID) {
            try await community(of: resident.gridID)
        } write: {
            var place = DailyKnockGridPlace()
            place.gridID = resident.gridID
            place.communityID = resident.communityID
            try await store.put(place, collection: Self.collection, key: resident.gridID)
        }
    }

    /// The community of `grid`, if known.
    func community(of grid: String) async throws -> String? {
        try await store.get(DailyKnockGridPlace.self, collection: Self.collection, key: grid)?.communityID
    }

    /// The key persons of `entries` in `community`: a grid not known yet is looked up once
    /// through one of its residents.
    func keyPersons(_ entries: [CommunityKeyPerson], in community: String, host: any HostCalling) async throws -> [CommunityKeyPerson] {
        var communities: [String: String] = [:]
        var kept: [CommunityKeyPerson] = []
        for entry in entries {
            if communities[entry.gridID] == nil {
                if let known = try await self.community(of: entry.gridID) {
                    communities[entry.gridID] = known
                } else {
                    var lookup = CommunityGetResidentRequest()
                    lookup.id = entry.residentID
                    let resident = try await host.call(CommunityMethods.getResident, lookup, options: CallOptions(timeout: .seconds(5)))
                    try await learn(resident)
                    communities[entry.gridID] = resident.communityID
                }
            }
            if communities[entry.gridID] == community { kept.append(entry) }
        }
        return kept
    }
}
