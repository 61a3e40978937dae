import Foundation
import KnockDomain
import SQLKit

/// Households and residents: imported from the community's roster, read within the caller's
/// scope. Every read of residents is audited.
extension KnockDatabase {
    /// Imports a roster: adds or replaces households and residents, all in one write, or none.
    ///
    /// Every household must name a known grid and that grid's community and street; every
    /// resident a household of the import or of the store, and that household's place. Every
    /// household and resident, as given and as stored, must lie in the caller's scope.
    /// - Parameters:
    ///   - households: The households (ids unique in the call).
    ///   - residents: The residents (ids unique in the call).
    ///   - caller: Who imports, within which scope.
    /// - Returns: How many of each were new and how many replaced stored ones.
    /// - Throws: ``DomainError`` `notFound` for an unknown grid or household; `outOfScope` for a
    ///   household or resident outside the caller's scope; `invalidArgument` for a malformed or
    ///   repeated id, or a place that does not match its grid or household. ``StoreError`` if the
    ///   database fails. On any error nothing was written.
    public func importRoster(households: [Household], residents: [Resident], caller: Caller) async throws -> RosterImportSummary {
        try Self.checkRoster(households: households, residents: residents, scope: caller.scope)
        return try await communityWrite("importing a roster of \(households.count) households and \(residents.count) residents") { database in
            try await Self.checkGrids(of: households, on: database)
            let storedHouseholds = try await Self.storedPlaces(CommunityTables.households, ids: households.map(\.id), on: database)
            let storedResidents = try await Self.storedPlaces(CommunityTables.residents, ids: residents.map(\.id), on: database)
            for (id, place) in storedHouseholds where !caller.scope.contains(place) {
                throw DomainError(.outOfScope, "household \(id) cannot be written within \(caller.scope)")
            }
            for (id, place) in storedResidents where !caller.scope.contains(place) {
                throw DomainError(.outOfScope, "resident \(id) cannot be written within \(caller.scope)")
            }
            try await Self.checkHouseholds(of: residents, importing: households, on: database)

            try await Self.upsert(
                into: CommunityTables.households, columns: CommunityTables.householdColumns,
                rows: try households.map(CommunityTables.row), on: database
            )
            try await Self.upsert(
                into: CommunityTables.residents, columns: CommunityTables.residentColumns,
                rows: try residents.map(CommunityTables.row), on: database
            )
            return RosterImportSummary(
                householdsInserted: households.count - storedHouseholds.count, householdsUpdated: storedHouseholds.count,
                residentsInserted: residents.count - storedResidents.count, residentsUpdated: storedResidents.count
            )
        }
    }

    /// The household `id`.
    /// - Parameters:
    ///   - id: The household's id.
    ///   - caller: Who reads, within which scope.
    /// - Returns: The household.
    /// - Throws: ``DomainError`` `notFound` if there is none in the caller's scope (alike whether
    ///   it does not exist or lies outside); ``StoreError`` if the database fails.
    public func household(id: String, caller: Caller) async throws -> Household {
        try await communityRead("reading household \(id)") { database in
            let row = try await database.select().columns(CommunityTables.householdColumns).from(CommunityTables.households)
                .where("id", .equal, id).within(caller.scope).first()
            guard let row else { throw DomainError(.notFound, "household \(id) not found") }
            return try CommunityTables.household(from: row)
        }
    }

    /// The resident `id`. Audited as `residents.get`.
    /// - Parameters:
    ///   - id: The resident's id.
    ///   - caller: Who reads, within which scope, through which module.
    /// - Returns: The resident.
    /// - Throws: ``DomainError`` `notFound` if there is none in the caller's scope (alike whether
    ///   it does not exist or lies outside); ``StoreError`` if the database fails.
    public func resident(id: String, caller: Caller) async throws -> Resident {
        try await auditedRead("residents.get", caller: caller) { database in
            let resident = try await CommunityTables.requireResident(id: id, within: caller.scope, on: database)
            return (resident, [resident.id])
        }
    }

    /// The residents of `ids` that exist in the caller's scope, in the order of `ids` (others
    /// are left out, alike whether they do not exist or lie outside). Audited as `residents.get`.
    /// - Parameters:
    ///   - ids: The residents' ids (at most ``maxLookup``: a district's plan names tens of thousands).
    ///   - caller: Who reads, within which scope, through which module.
    /// - Returns: The residents found.
    /// - Throws: ``DomainError`` `invalidArgument` for more than ``maxLookup`` ids; ``StoreError``
    ///   if the database fails.
    public func residents(ids: [String], caller: Caller) async throws -> [Resident] {
        try Self.checkLookup(ids, of: "residents")
        return try await auditedRead("residents.get", caller: caller) { database in
            let residents = CommunityTables.inOrder(ids, try await CommunityTables.residents(ids: ids, within: caller.scope, on: database))
            return (residents, residents.map(\.id))
        }
    }

    /// Where the residents of `ids` in the caller's scope live, by id (others are left out):
    /// placing knocks reads nothing more of them. Audited as `residents.get` (household and
    /// place are the resident's data too; the host's own placing is not audited).
    /// - Parameters:
    ///   - ids: The residents' ids (at most ``maxLookup``).
    ///   - caller: Who reads, within which scope, through which module.
    /// - Returns: Each home found, by resident id.
    /// - Throws: ``DomainError`` `invalidArgument` for more than ``maxLookup`` ids; ``StoreError``
    ///   if the database fails.
    public func residentHomes(ids: [String], caller: Caller) async throws -> [String: ResidentHome] {
        try await residentLookup(ids, caller: caller, CommunityTables.residentHomes)
    }

    /// The names of the residents of `ids` in the caller's scope, by id (others are left out):
    /// a list that shows names reads nothing more of them. Audited as `residents.get`.
    /// - Parameters:
    ///   - ids: The residents' ids (at most ``maxLookup``).
    ///   - caller: Who reads, within which scope, through which module.
    /// - Returns: Each name found, by resident id.
    /// - Throws: ``DomainError`` `invalidArgument` for more than ``maxLookup`` ids; ``StoreError``
    ///   if the database fails.
    public func residentNames(ids: [String], caller: Caller) async throws -> [String: String] {
        try await residentLookup(ids, caller: caller, CommunityTables.residentNames)
    }

    /// Something of the residents of `ids` in the caller's scope, by id, audited as
    /// `residents.get` for the residents found.
    private func residentLookup<Value: Sendable>(
        _ ids: [String], caller: Caller,
        _ read: @escaping @Sendable (_ ids: [String], _ scope: Scope?, _ database: any SQLDatabase) async throws -> [String: Value]
    ) async throws -> [String: Value] {
        try Self.checkLookup(ids, of: "residents")
        return try await auditedRead("residents.get", caller: caller) { database in
            let found = try await read(ids, caller.scope, database)
            return (found, ids.filter { found[$0] != nil })
        }
    }

    /// The residents in the caller's scope, in id order, a page at a time. Audited as
    /// `residents.list`.
    /// - Parameters:
    ///   - caller: Who reads, within which scope, through which module.
    ///   - tag: Only residents with this tag.
    ///   - limit: At most this many (1 to 1000).
    ///   - after: Only ids after this one: the previous page's ``ResidentPage/nextAfter``.
    /// - Returns: The page.
    /// - Throws: ``DomainError`` `invalidArgument` for a limit out of range; ``StoreError`` if the
    ///   database fails.
    public func residents(caller: Caller, tag: ResidentTag? = nil, limit: Int = 100, after: String? = nil) async throws -> ResidentPage {
        try Validation.limit(limit)
        return try await auditedRead("residents.list", caller: caller) { database in
            let select = database.select().columns(CommunityTables.residentColumns).from(CommunityTables.residents)
                .within(caller.scope)
            if let tag {
                select.where("tags", .like, "%,\(tag.rawValue),%")
            }
            if let after {
                select.where("id", .greaterThan, after)
            }
            let rows = try await select.orderBy("id").limit(limit + 1).all()
            let residents = try rows.prefix(limit).map(CommunityTables.resident(from:))
            let page = ResidentPage(residents, nextAfter: rows.count > limit ? residents.last?.id : nil)
            return (page, residents.map(\.id))
        }
    }

    // MARK: Roster checks

    /// The checks that need no database: ids, texts, repeats, scope of what is given.
    private static func checkRoster(households: [Household], residents: [Resident], scope: Scope) throws {
        var householdIDs: Set<String> = []
        for household in households {
            try Validation.id(household.id, what: "household id")
            try Validation.text(household.address, what: "address of household \(household.id)")
            guard householdIDs.insert(household.id).inserted else {
                throw DomainError(.invalidArgument, "household \(household.id) is given twice")
            }
            guard scope.contains(Scope.Place(household)) else {
                throw DomainError(.outOfScope, "household \(household.id) lies in grid \(household.gridID), outside \(scope)")
            }
        }
        var residentIDs: Set<String> = []
        for resident in residents {
            try Validation.id(resident.id, what: "resident id")
            try Validation.text(resident.name, what: "name of resident \(resident.id)")
            try Validation.text(resident.phone, what: "phone of resident \(resident.id)")
            if let contact = resident.emergencyContact {
                try Validation.text(contact.name + contact.phone + contact.relation, what: "emergency contact of resident \(resident.id)")
            }
            guard residentIDs.insert(resident.id).inserted else {
                throw DomainError(.invalidArgument, "resident \(resident.id) is given twice")
            }
            guard scope.contains(Scope.Place(resident)) else {
                throw DomainError(.outOfScope, "resident \(resident.id) lies in grid \(resident.gridID), outside \(scope)")
            }
        }
    }

    /// Checks that every household's grid is known and lies in the community and street given.
    private static func checkGrids(of households: [Household], on database: any SQLDatabase) async throws {
        let grids = try await CommunityTables.gridPlaces(ids: households.map(\.gridID), on: database)
        for household in households {
            guard let grid = grids[household.gridID] else {
                throw DomainError(.notFound, "household \(household.id): grid \(household.gridID) not found")
            }
            guard grid == Scope.Place(household) else {
                throw DomainError(.invalidArgument, "household \(household.id): grid \(grid.gridID) is in community \(grid.communityID) of street \(grid.streetID), not \(household.communityID) of \(household.streetID)")
            }
        }
    }

    /// Checks that every resident's household is imported or stored, and that the resident's
    /// place is the household's.
    private static func checkHouseholds(of residents: [Resident], importing households: [Household], on database: any SQLDatabase) async throws {
        var places = Dictionary(households.map { ($0.id, Scope.Place($0)) }, uniquingKeysWith: { first, _ in first })
        let missing = Set(residents.map(\.householdID)).subtracting(places.keys)
        for (id, place) in try await storedPlaces(CommunityTables.households, ids: Array(missing), on: database) {
            places[id] = place
        }
        for resident in residents {
            guard let place = places[resident.householdID] else {
                throw DomainError(.notFound, "resident \(resident.id): household \(resident.householdID) not found")
            }
            guard place == Scope.Place(resident) else {
                throw DomainError(.invalidArgument, "resident \(resident.id) is placed in grid \(resident.gridID), but household \(resident.householdID) is in grid \(place.gridID)")
            }
        }
    }

    /// The place of each stored row of `table` among `ids`.
    private static func storedPlaces(_ table: String, ids: [String], on database: any SQLDatabase) async throws -> [String: Scope.Place] {
        try await CommunityTables.rows(of: table, ids: ids, columns: ["id"] + CommunityTables.placeColumns, within: nil, on: database) { row in
            (try row.string("id"), Scope.Place(
                streetID: try row.string("street_id"), communityID: try row.string("community_id"), gridID: try row.string("grid_id")
            ))
        }
    }

    /// Inserts `rows`, replacing every column but the id of rows already stored.
    static func upsert(into table: String, columns: [String], rows: [[any SQLExpression]], on database: any SQLDatabase) async throws {
        // Both engines take at least 32,766 binds per statement.
        let rowsPerStatement = max(1, 30_000 / columns.count)
        for start in stride(from: 0, to: rows.count, by: rowsPerStatement) {
            try await database.insert(into: table)
                .columns(columns)
                .rows(rows[start..<min(start + rowsPerStatement, rows.count)])
                .onConflict(with: ["id"]) { update in
                    for column in columns.dropFirst() {
                        update.set(excludedValueOf: column)
                    }
                    return update
                }
                .run()
        }
    }

    /// The households of `ids` that exist in the caller's scope, in the order of `ids` (others
    /// are left out, alike whether they do not exist or lie outside). Addresses are not personal
    /// data of a resident: not audited.
    /// - Parameters:
    ///   - ids: The households' ids (at most ``maxLookup``).
    ///   - caller: Who reads, within which scope.
    /// - Returns: The households found.
    /// - Throws: ``DomainError`` `invalidArgument` for more than ``maxLookup`` ids; ``StoreError``
    ///   if the database fails.
    public func households(ids: [String], caller: Caller) async throws -> [Household] {
        try Self.checkLookup(ids, of: "households")
        let scope = caller.scope
        let found = try await communityRead("reading \(ids.count) households") { database in
            try await CommunityTables.rows(of: CommunityTables.households, ids: ids, columns: CommunityTables.householdColumns, within: scope, on: database) { row in
                let household = try CommunityTables.household(from: row)
                return (household.id, household)
            }
        }
        return CommunityTables.inOrder(ids, found)
    }
}
