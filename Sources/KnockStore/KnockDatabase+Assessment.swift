import KnockDomain
import SQLKit

/// What the methods are shown of a just-recorded visit's resident: the resident and, if on the
/// key-persons list, the entry — in one statement, because every visit a method assesses needs
/// both.
extension KnockDatabase {
    /// Residents (the columns ``CommunityTables/resident(from:)`` reads) with their key-persons
    /// entries and reasons as ``CommunityTables/keyPersons(rows:)`` reads them, one row per
    /// reason; follow it with the ids and ``residentsWithEntriesOrder``. Written once: building
    /// and serialising it per visit cost more than running it.
    private static let residentsWithEntriesSelect: String = {
        let resident = SQLText.columns(CommunityTables.residentColumns, table: "res")
        let entry = SQLText.columns(["resident_id", "cadence_days", "assigned_member_id", "last_knock_at"], table: "k")
        let reasons = ["reason", "flagged_by", "since", "until"].map { "\"r\".\(SQLText.quoted($0)) AS \(SQLText.quoted("reason_" + $0))" }
        return "SELECT \(resident), \(entry), \(reasons.joined(separator: ", ")) FROM \(SQLText.quoted(CommunityTables.residents)) \"res\" "
            + "LEFT JOIN \(SQLText.quoted(CommunityTables.keyPersons)) \"k\" ON \"k\".\"resident_id\" = \"res\".\"id\" "
            + "LEFT JOIN \(SQLText.quoted(CommunityTables.keyPersonReasons)) \"r\" ON \"r\".\"resident_id\" = \"res\".\"id\" "
            + "WHERE \"res\".\"id\" IN ("
    }()

    private static let residentsWithEntriesOrder = #") ORDER BY "res"."id", "r"."since", "r"."reason""#

    /// The residents of `ids` that exist, each with their key-persons entry or `nil`, by id (at
    /// most a group commit's batch of ids: one statement).
    static func residentsWithEntries(ids: [String], on database: any SQLDatabase) async throws -> [String: (resident: Resident, keyPerson: KeyPerson?)] {
        let unique = Array(Set(ids)).sorted()
        guard !unique.isEmpty else { return [:] }
        let read: SQLQueryString = """
            \(unsafeRaw: residentsWithEntriesSelect)\(SQLList(unique.map { SQLBind($0) }))\(unsafeRaw: residentsWithEntriesOrder)
            """
        var rowsByResident: [String: [any SQLRow]] = [:]
        for row in try await database.raw(read).all() {
            rowsByResident[try row.string("id"), default: []].append(row)
        }
        var found: [String: (resident: Resident, keyPerson: KeyPerson?)] = [:]
        for (id, rows) in rowsByResident {
            let onList = try rows[0].optionalString("resident_id") != nil
            found[id] = (try CommunityTables.resident(from: rows[0]), onList ? try CommunityTables.keyPersons(rows: rows).first : nil)
        }
        return found
    }

    /// The resident `id` and their key-persons entry, if any. Audited as `residents.get` (unless
    /// the caller is not audited: the host's own lookup for the methods).
    /// - Parameters:
    ///   - id: The resident's id.
    ///   - caller: Who reads, within which scope.
    /// - Returns: The resident, and the entry or `nil`.
    /// - Throws: ``DomainError`` `notFound` if there is no such resident in the caller's scope;
    ///   ``StoreError`` if the database fails.
    public func residentWithKeyPerson(id: String, caller: Caller) async throws -> (resident: Resident, keyPerson: KeyPerson?) {
        try await auditedRead("residents.get", caller: caller) { database in
            guard let found = try await Self.residentsWithEntries(ids: [id], on: database)[id], caller.scope.contains(Scope.Place(found.resident)) else {
                throw DomainError(.notFound, "resident \(id) not found")
            }
            return ((found.resident, found.keyPerson), [id])
        }
    }
}
