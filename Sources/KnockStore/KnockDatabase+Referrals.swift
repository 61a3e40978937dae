import Foundation
import KnockDomain
import SQLKit

/// Referrals of residents to method modules, made by suggestions; read by the module referred
/// to, and closed by it. Reads are audited.
extension KnockDatabase {
    /// The referrals to `module` in the caller's scope, oldest first. Audited as `referrals.list`.
    /// - Parameters:
    ///   - caller: Who reads, within which scope, through which module.
    ///   - module: The module referred to.
    ///   - openOnly: Only referrals not closed yet.
    ///   - limit: At most this many (1 to 1000).
    /// - Returns: The referrals.
    /// - Throws: ``DomainError`` `invalidArgument` for a limit out of range; ``StoreError`` if the
    ///   database fails.
    public func referrals(caller: Caller, toModule module: String, openOnly: Bool = true, limit: Int = 100) async throws -> [Referral] {
        try Validation.limit(limit)
        return try await auditedRead("referrals.list", caller: caller) { database in
            let select = database.select().columns(Self.referralColumns).from(CommunityTables.referrals)
                .where("to_module", .equal, module)
                .within(caller.scope)
            if openOnly {
                select.where(SQLColumn("closed_at"), .is, SQLLiteral.null)
            }
            let referrals = try await select.orderBy("created_at").orderBy("id").limit(limit).all().map(Self.referral(from:))
            return (referrals, referrals.map(\.residentID))
        }
    }

    /// Closes an open referral.
    /// - Parameters:
    ///   - id: The referral's id.
    ///   - caller: Who closes it (the module referred to), within which scope.
    ///   - at: When.
    /// - Returns: The referral after closing.
    /// - Throws: ``DomainError`` `notFound` if there is no such referral in the caller's scope;
    ///   `invalidTransition` if it was closed before. ``StoreError`` if the database fails.
    @discardableResult
    public func closeReferral(id: String, caller: Caller, at: Date) async throws -> Referral {
        try await communityWrite("closing referral \(id)") { database in
            let row = try await database.select().columns(Self.referralColumns).from(CommunityTables.referrals)
                .where("id", .equal, id).within(caller.scope).first()
            guard var referral = try row.map(Self.referral(from:)) else { throw DomainError(.notFound, "referral \(id) not found") }
            let closed = try await database.update(CommunityTables.referrals)
                .set("closed_at", to: at.milliseconds)
                .where("id", .equal, id)
                .where(SQLColumn("closed_at"), .is, SQLLiteral.null)
                .returning("id")
                .first()
            guard closed != nil else { throw DomainError(.invalidTransition, "referral \(id) was closed already") }
            referral.closedAt = at.storedPrecision
            return referral
        }
    }

    private static let referralColumns = [
        "id", "resident_id", "street_id", "community_id", "grid_id", "to_module", "note", "suggested_by", "visit_id", "created_at", "closed_at",
    ]

    private static func referral(from row: any SQLRow) throws -> Referral {
        Referral(
            id: try row.string("id"), residentID: try row.string("resident_id"), gridID: try row.string("grid_id"),
            communityID: try row.string("community_id"), streetID: try row.string("street_id"), toModule: try row.string("to_module"),
            note: try row.string("note"), referredBy: try row.provenance("suggested_by"), visitID: try row.optionalString("visit_id"),
            createdAt: try row.date("created_at"), closedAt: try row.optionalDate("closed_at")
        )
    }
}
