import Foundation
import KnockDomain
import SQLKit

/// The audit log's statements: one row per read of personal data, and one index row per
/// resident read, so that "who read this resident's data" is an index lookup.
enum AuditLog {
    /// Index rows written per statement (two binds each; both engines allow many more).
    private static let rowsPerStatement = 4_000

    /// Records `entry`, unless it names no resident.
    /// - Throws: The driver's error.
    static func record(_ entry: AuditEntry, on database: any SQLDatabase) async throws {
        var seen: Set<String> = []
        let residentIDs = entry.residentIDs.filter { seen.insert($0).inserted }
        guard !residentIDs.isEmpty else { return }
        let row = try await database.insert(into: CommunityTables.audit)
            .columns("at", "by", "action", "via", "resident_ids")
            .values(
                SQLBind(entry.at.milliseconds), SQLBind(entry.by.text), SQLBind(entry.action),
                SQLExpressions.nullable(entry.via), SQLBind(StoredJSON.strings(residentIDs))
            )
            .returning("id")
            .first()
        guard let id = try row?.decode(column: "id", as: Int64.self) else {
            throw StoreError(code: .internal, message: "the audit entry's id did not come back")
        }
        for start in stride(from: 0, to: residentIDs.count, by: rowsPerStatement) {
            let chunk = residentIDs[start..<min(start + rowsPerStatement, residentIDs.count)]
            try await database.insert(into: CommunityTables.auditResidents)
                .columns("resident_id", "audit_id")
                .rows(chunk.map { [SQLBind($0), SQLBind(id)] as [any SQLExpression] })
                .run()
        }
    }

    /// The latest entries, newest first; only those naming `residentID` if given.
    /// - Throws: The driver's error; ``StoreError`` `internal` for a row it cannot read.
    static func entries(limit: Int, residentID: String?, on database: any SQLDatabase) async throws -> [AuditEntry] {
        let select = database.select()
            .columns(["at", "by", "action", "via", "resident_ids"].map { SQLColumn($0, table: "a") })
            .from(SQLAlias(SQLIdentifier(CommunityTables.audit), as: SQLIdentifier("a")))
        if let residentID {
            select.join(
                SQLAlias(SQLIdentifier(CommunityTables.auditResidents), as: SQLIdentifier("r")),
                method: SQLJoinMethod.inner,
                on: SQLBinaryExpression(SQLColumn("audit_id", table: "r"), .equal, SQLColumn("id", table: "a"))
            )
            .where(SQLColumn("resident_id", table: "r"), .equal, SQLBind(residentID))
        }
        let rows = try await select.orderBy(SQLColumn("id", table: "a"), SQLDirection.descending).limit(limit).all()
        return try rows.map { row in
            AuditEntry(
                at: try row.date("at"), by: try row.provenance("by"), action: try row.string("action"),
                residentIDs: try row.json("resident_ids", as: [String].self), via: try row.optionalString("via")
            )
        }
    }
}
