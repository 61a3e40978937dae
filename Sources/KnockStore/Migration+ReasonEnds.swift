import SQLKit

extension Migration {
    /// Key-person reasons found by their end, for the sweep that takes ended reasons off the
    /// list (``KnockDatabase/endKeyPersonReasons(endedBy:)``): each minute it looks for reasons
    /// ended by now, without reading the whole list.
    static let keyPersonReasonEnds = Migration(id: "0003_key_person_reason_ends") { database in
        try await database.create(index: "\(CommunityTables.keyPersonReasons)_by_until")
            .on(CommunityTables.keyPersonReasons)
            .column("until")
            .run()
    }
}
