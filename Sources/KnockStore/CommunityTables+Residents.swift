import Foundation
import KnockDomain
import SQLKit

/// Households' and residents' rows.
extension CommunityTables {
    static let householdColumns = ["id", "address", "availability", "street_id", "community_id", "grid_id"]
    static let residentColumns = [
        "id", "household_id", "name", "birth_year", "tags", "phone", "emergency_contact", "street_id", "community_id", "grid_id",
    ]

    static func row(_ household: Household) throws -> [any SQLExpression] {
        [
            SQLBind(household.id), SQLBind(household.address), SQLBind(try StoredJSON.encode(household.availability)),
            SQLBind(household.streetID), SQLBind(household.communityID), SQLBind(household.gridID),
        ]
    }

    static func household(from row: any SQLRow) throws -> Household {
        Household(
            id: try row.string("id"), address: try row.string("address"), gridID: try row.string("grid_id"),
            communityID: try row.string("community_id"), streetID: try row.string("street_id"),
            availability: try row.json("availability", as: [AvailabilityWindow].self)
        )
    }

    static func row(_ resident: Resident) throws -> [any SQLExpression] {
        [
            SQLBind(resident.id), SQLBind(resident.householdID), SQLBind(resident.name), SQLBind(Int64(resident.birthYear)),
            SQLBind(StoredJSON.set(resident.tags)), SQLBind(resident.phone),
            SQLExpressions.nullable(try resident.emergencyContact.map { try StoredJSON.encode($0) }),
            SQLBind(resident.streetID), SQLBind(resident.communityID), SQLBind(resident.gridID),
        ]
    }

    static func resident(from row: any SQLRow) throws -> Resident {
        Resident(
            id: try row.string("id"), householdID: try row.string("household_id"), name: try row.string("name"),
            birthYear: try row.int("birth_year"), tags: try row.set("tags", of: ResidentTag.self), phone: try row.string("phone"),
            emergencyContact: try row.optionalString("emergency_contact").map(StoredJSON.contact(from:)),
            gridID: try row.string("grid_id"), communityID: try row.string("community_id"), streetID: try row.string("street_id")
        )
    }

    /// The resident `id`, if there is one inside `scope` (`nil` scope: anywhere).
    static func resident(id: String, within scope: Scope?, on database: any SQLDatabase) async throws -> Resident? {
        let select = database.select().columns(residentColumns).from(residents).where("id", .equal, id)
        if let scope { select.within(scope) }
        return try await select.first().map(resident(from:))
    }

    /// The resident `id` inside `scope`.
    /// - Throws: ``DomainError`` `notFound`, alike whether the resident does not exist or lies
    ///   outside the scope.
    static func requireResident(id: String, within scope: Scope?, on database: any SQLDatabase) async throws -> Resident {
        guard let found = try await resident(id: id, within: scope, on: database) else {
            throw DomainError(.notFound, "resident \(id) not found")
        }
        return found
    }

    /// The residents of `ids` inside `scope`, by id.
    static func residents(ids: [String], within scope: Scope?, on database: any SQLDatabase) async throws -> [String: Resident] {
        try await rows(of: residents, ids: ids, columns: residentColumns, within: scope, on: database) { row in
            let resident = try resident(from: row)
            return (resident.id, resident)
        }
    }

    /// The homes of the residents of `ids` in `scope` (if given), by id: only those columns.
    static func residentHomes(ids: [String], within scope: Scope?, on database: any SQLDatabase) async throws -> [String: ResidentHome] {
        try await rows(of: residents, ids: ids, columns: ["id", "household_id", "street_id", "community_id", "grid_id"], within: scope, on: database) { row in
            let id = try row.string("id")
            let place = Scope.Place(streetID: try row.string("street_id"), communityID: try row.string("community_id"), gridID: try row.string("grid_id"))
            return (id, ResidentHome(residentID: id, householdID: try row.string("household_id"), place: place))
        }
    }

    /// The names of the residents of `ids` in `scope` (if given), by id: only the two columns.
    static func residentNames(ids: [String], within scope: Scope?, on database: any SQLDatabase) async throws -> [String: String] {
        try await rows(of: residents, ids: ids, columns: ["id", "name"], within: scope, on: database) { row in
            (try row.string("id"), try row.string("name"))
        }
    }

    /// `values` in slices small enough for one `IN (…)` list on either engine.
    static func chunks<Value>(of values: [Value], size: Int = 500) -> [ArraySlice<Value>] {
        stride(from: 0, to: values.count, by: size).map { values[$0..<min($0 + size, values.count)] }
    }
}
