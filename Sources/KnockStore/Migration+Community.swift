import SQLKit

extension Migration {
    /// The community core: organisation, households and residents, visits, needs and their
    /// history, key persons, alerts, scheduled and planned knocks, referrals, the audit log.
    ///
    /// Indexes follow the reads: each list a scope asks for starts with the scope's column
    /// (street, community or grid) so a grid's or a community's rows are found without reading
    /// the district's.
    static let community = Migration(id: "0002_community") { database in
        let id = byteOrdered(database)
        let tables = CommunityTables.self

        func place(_ builder: SQLCreateTableBuilder) -> SQLCreateTableBuilder {
            builder
                .column("street_id", type: .text, [.notNull] + id)
                .column("community_id", type: .text, [.notNull] + id)
                .column("grid_id", type: .text, [.notNull] + id)
        }
        func index(_ table: String, _ name: String, _ columns: String..., unique: Bool = false) async throws {
            let builder = database.create(index: "\(table)_\(name)").on(table)
            if unique { builder.unique() }
            for column in columns { builder.column(column) }
            try await builder.run()
        }
        /// One index per scope column, each followed by `then`.
        func scopeIndexes(_ table: String, then: String...) async throws {
            for column in CommunityTables.placeColumns {
                let builder = database.create(index: "\(table)_by_\(column.dropLast(3))").on(table).column(column)
                for next in then { builder.column(next) }
                try await builder.run()
            }
        }

        // MARK: Organisation
        try await database.create(table: tables.units)
            .column("id", type: .text, [.primaryKey(autoIncrement: false), .notNull] + id)
            .column("level", type: .text, .notNull)
            .column("name", type: .text, .notNull)
            .column("parent_id", type: .text, id)
            // The unit's own place: its street, community and grid, as far as its level goes.
            .column("street_id", type: .text, id)
            .column("community_id", type: .text, id)
            .column("grid_id", type: .text, id)
            .run()
        try await database.create(table: tables.members)
            .column("id", type: .text, [.primaryKey(autoIncrement: false), .notNull] + id)
            .column("name", type: .text, .notNull)
            .column("roles", type: .text, .notNull)
            .column("street_id", type: .text, [.notNull] + id)
            .column("community_id", type: .text, [.notNull] + id)
            .column("phone", type: .text, .notNull)
            .run()
        try await index(tables.members, "by_community", "community_id")
        try await index(tables.members, "by_street", "street_id")
        try await database.create(table: tables.memberGrids)
            .column("member_id", type: .text, [.notNull] + id)
            .column("grid_id", type: .text, [.notNull] + id)
            .column("position", type: .int, .notNull)
            .primaryKey("member_id", "grid_id")
            .run()
        try await index(tables.memberGrids, "by_grid", "grid_id", "member_id")

        // MARK: Households and residents
        try await place(database.create(table: tables.households)
            .column("id", type: .text, [.primaryKey(autoIncrement: false), .notNull] + id)
            .column("address", type: .text, .notNull)
            .column("availability", type: .text, .notNull))
            .run()
        try await scopeIndexes(tables.households, then: "id")
        try await place(database.create(table: tables.residents)
            .column("id", type: .text, [.primaryKey(autoIncrement: false), .notNull] + id)
            .column("household_id", type: .text, [.notNull] + id)
            .column("name", type: .text, .notNull)
            .column("birth_year", type: .int, .notNull)
            .column("tags", type: .text, .notNull)
            .column("phone", type: .text, .notNull)
            .column("emergency_contact", type: .text))
            .run()
        try await scopeIndexes(tables.residents, then: "id")
        try await index(tables.residents, "by_household", "household_id")

        // MARK: Visits
        try await place(database.create(table: tables.visits)
            .column("id", type: .text, [.primaryKey(autoIncrement: false), .notNull] + id)
            .column("member_id", type: .text, [.notNull] + id)
            .column("resident_id", type: .text, [.notNull] + id)
            .column("household_id", type: .text, [.notNull] + id)
            .column("at", type: .bigint, .notNull)
            .column("channel", type: .text, .notNull)
            .column("outcome", type: .text, .notNull)
            .column("observations", type: .text, .notNull)
            .column("opinions", type: .text, .notNull)
            .column("requests", type: .text, .notNull)
            .column("recorded_at", type: .bigint, .notNull))
            .run()
        try await scopeIndexes(tables.visits, then: "at")
        try await index(tables.visits, "by_resident", "resident_id", "at")

        // MARK: Needs
        try await place(database.create(table: tables.needs)
            .column("id", type: .text, [.primaryKey(autoIncrement: false), .notNull] + id)
            .column("resident_id", type: .text, [.notNull] + id)
            .column("household_id", type: .text, [.notNull] + id)
            .column("category", type: .text, [.notNull] + id)
            .column("urgency", type: .text, .notNull)
            .column("summary", type: .text, .notNull)
            .column("status", type: .text, [.notNull] + id)
            .column("owner", type: .text, id)
            .column("raised_by", type: .text, .notNull)
            .column("visit_id", type: .text, id)
            .column("raised_at", type: .bigint, .notNull)
            .column("due_at", type: .bigint, .notNull)
            .column("resolved_at", type: .bigint)
            .column("followed_up_at", type: .bigint)
            .column("satisfaction", type: .int))
            .run()
        // Lists of a scope by status, and overdue (active status, due before now) without a scan.
        try await scopeIndexes(tables.needs, then: "status", "due_at")
        try await index(tables.needs, "by_status", "status", "due_at")
        try await index(tables.needs, "by_resident", "resident_id", "category", "status")
        try await database.create(table: tables.needEvents)
            .column("need_id", type: .text, [.notNull] + id)
            .column("seq", type: .int, .notNull)
            .column("at", type: .bigint, .notNull)
            .column("by", type: .text, .notNull)
            .column("from_status", type: .text)
            .column("to_status", type: .text, .notNull)
            .column("owner", type: .text)
            .column("note", type: .text, .notNull)
            .primaryKey("need_id", "seq")
            .run()

        // MARK: Key persons
        try await place(database.create(table: tables.keyPersons)
            .column("resident_id", type: .text, [.primaryKey(autoIncrement: false), .notNull] + id)
            .column("household_id", type: .text, [.notNull] + id)
            .column("cadence_days", type: .int, .notNull)
            .column("assigned_member_id", type: .text, id)
            .column("last_knock_at", type: .bigint))
            .run()
        try await scopeIndexes(tables.keyPersons, then: "resident_id")
        try await database.create(table: tables.keyPersonReasons)
            .column("resident_id", type: .text, [.notNull] + id)
            .column("reason", type: .text, [.notNull] + id)
            .column("cadence_days", type: .int, .notNull)
            .column("flagged_by", type: .text, .notNull)
            .column("since", type: .bigint, .notNull)
            .column("until", type: .bigint)
            .primaryKey("resident_id", "reason")
            .run()

        // MARK: Alerts
        try await place(database.create(table: tables.alerts)
            .column("id", type: .text, [.primaryKey(autoIncrement: false), .notNull] + id)
            .column("resident_id", type: .text, [.notNull] + id)
            .column("urgency", type: .text, .notNull)
            .column("message", type: .text, .notNull)
            .column("raised_by", type: .text, .notNull)
            .column("raised_at", type: .bigint, .notNull)
            .column("acknowledged_by", type: .text)
            .column("acknowledged_at", type: .bigint)
            .column("acknowledgement", type: .text, .notNull))
            .run()
        try await scopeIndexes(tables.alerts, then: "raised_at")
        try await index(tables.alerts, "by_resident", "resident_id")

        // MARK: Knocks: scheduled by methods, and the saved day plans
        try await place(database.create(table: tables.scheduledKnocks)
            .column("id", type: .text, [.primaryKey(autoIncrement: false), .notNull] + id)
            .column("day", type: .text, [.notNull] + id)
            .column("resident_id", type: .text, [.notNull] + id)
            .column("household_id", type: .text, [.notNull] + id)
            .column("member_id", type: .text, id)
            .column("channel", type: .text, .notNull)
            .column("priority", type: .int, .notNull)
            .column("why", type: .text, [.notNull] + id)
            .column("suggested_by", type: .text, [.notNull] + id)
            .column("visit_id", type: .text, id)
            .column("created_at", type: .bigint, .notNull))
            .run()
        try await index(tables.scheduledKnocks, "same", "resident_id", "day", "why", "suggested_by", unique: true)
        try await index(tables.scheduledKnocks, "by_day", "day", "grid_id")
        try await place(database.create(table: tables.planKnocks)
            .column("day", type: .text, [.notNull] + id)
            .column("resident_id", type: .text, [.notNull] + id)
            .column("household_id", type: .text, [.notNull] + id)
            .column("member_id", type: .text, id)
            .column("channel", type: .text, .notNull)
            .column("priority", type: .int, .notNull)
            .column("reasons", type: .text, .notNull)
            .column("position", type: .int, .notNull)
            .primaryKey("day", "resident_id"))
            .run()
        try await index(tables.planKnocks, "by_day", "day", "grid_id")

        // MARK: Referrals to a method module
        try await place(database.create(table: tables.referrals)
            .column("id", type: .text, [.primaryKey(autoIncrement: false), .notNull] + id)
            .column("resident_id", type: .text, [.notNull] + id)
            .column("to_module", type: .text, [.notNull] + id)
            .column("note", type: .text, .notNull)
            .column("suggested_by", type: .text, .notNull)
            .column("visit_id", type: .text, id)
            .column("created_at", type: .bigint, .notNull)
            .column("closed_at", type: .bigint))
            .run()
        try await index(tables.referrals, "by_resident", "resident_id", "to_module")

        // MARK: Audit of personal-data reads
        try await database.create(table: tables.audit)
            .column("id", type: .bigint, .primaryKey(autoIncrement: true), .notNull)
            .column("at", type: .bigint, .notNull)
            .column("by", type: .text, .notNull)
            .column("action", type: .text, .notNull)
            .column("via", type: .text)
            .column("resident_ids", type: .text, .notNull)
            .run()
        try await database.create(table: tables.auditResidents)
            .column("resident_id", type: .text, [.notNull] + id)
            .column("audit_id", type: .bigint, .notNull)
            .primaryKey("resident_id", "audit_id")
            .run()
    }
}
