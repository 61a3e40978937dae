import KnockDomain
import SQLKit

/// What the methods are shown of a just-recorded visit's resident: the resident and, if on the
/// key-persons list, the entry — in one statement, because every visit a method assesses needs
/// both.
extension KnockDatabase {
    /// The resident's columns, then the entry's and its reasons' (as ``CommunityTables``'s
    /// key-person rows name them), one row per reason; the entry's are `NULL` for a resident not
    /// on the list. Written once: building and serialising it per visit cost more than running it.
    private static let residentWithEntry: String = {
        let resident = SQLText.columns(CommunityTables.residentColumns, table: "res")
        let entry = SQLText.columns(["resident_id", "cadence_days", "assigned_member_id", "last_knock_at"], table: "k")
        let reasons = ["reason", "flagged_by", "since", "until"].map { "\"r\".\(SQLText.quoted($0)) AS \(SQLText.quoted("reason_" + $0))" }
        return "SELECT \(resident), \(entry), \(reasons.joined(separator: ", ")) FROM \(SQLText.quoted(CommunityTables.residents)) \"res\" "
            + "LEFT JOIN \(SQLText.quoted(CommunityTables.keyPersons)) \"k\" ON \"k\".\"resident_id\" = \"res\".\"id\" "
            + "LEFT JOIN \(SQLText.quoted(CommunityTables.keyPersonReasons)) \"r\" ON \"r\".\"resident_id\" = \"res\".\"id\" "
            + "WHERE \"res\".\"id\" = "
    }()

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
            let scope = SQLExpressions.within(caller.scope, table: "res") ?? SQLLiteral.boolean(true)
            let rows = try await database.raw("\(unsafeRaw: Self.residentWithEntry)\(bind: id) AND \(scope) ORDER BY \"r\".\"since\", \"r\".\"reason\"").all()
            guard let first = rows.first else { throw DomainError(.notFound, "resident \(id) not found") }
            let resident = try CommunityTables.resident(from: first)
            let onList = try first.optionalString("resident_id") != nil
            return ((resident, onList ? try CommunityTables.keyPersons(rows: rows).first : nil), [resident.id])
        }
    }
}
