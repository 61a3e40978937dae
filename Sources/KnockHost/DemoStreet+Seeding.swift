import KnockDomain
public import KnockStore

extension DemoStreet {
    /// What seeding wrote.
    public struct SeedSummary: Sendable, Hashable {
        public var grids: Int
        public var members: Int
        public var households: Int
        public var residents: Int
        public var keyPersons: Int
    }

    /// Writes the street into `database` unless it already holds an organisation: the units,
    /// the members, the roster (one transaction) and the key-persons list (every reason flagged
    /// by the host, the assigned member set).
    /// - Parameter database: The store.
    /// - Returns: What was written, or `nil` if the store already had an organisation.
    /// - Throws: ``StoreError`` or ``DomainError`` if a write fails.
    public func seed(into database: KnockDatabase) async throws -> SeedSummary? {
        let host = Caller(provenance: .host, scope: .district("*"), audited: false)
        guard try await database.units(in: host.scope, level: .district).isEmpty else { return nil }
        try await database.putUnits(units)
        try await database.putMembers(members)
        _ = try await database.importRoster(households: households, residents: residents, caller: host)
        // Many small writes at once: the store commits them in groups.
        let entries = keyPersons
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<32 {
                group.addTask {
                    for entry in stride(from: lane, to: entries.count, by: 32).map({ entries[$0] }) {
                        for reason in entry.reasons {
                            try await database.flagKeyPerson(
                                residentID: entry.residentID, reason: reason.reason, cadenceDays: entry.cadenceDays, until: reason.until,
                                caller: Caller(provenance: reason.flaggedBy, scope: host.scope, audited: false), at: reason.since
                            )
                        }
                        if let member = entry.assignedMemberID {
                            try await database.assignKeyPerson(residentID: entry.residentID, memberID: member, caller: host)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        return SeedSummary(
            grids: units.filter { $0.level == .grid }.count, members: members.count, households: households.count,
            residents: residents.count, keyPersons: keyPersons.count
        )
    }
}
