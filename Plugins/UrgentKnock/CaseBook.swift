import Foundation
import KnockModuleKit

/// The cases of 随时敲 in the module's store: `cases` keyed by case id (indexed by community,
/// resident, status and opener) and `open-case` keyed by resident id, a copy of the resident's
/// one open case. The copy comes with every visit to the resident (`visitRecords`), so a visit
/// reads no case. A case and its copy change together (one batch) and keep one version (both
/// are created at 1, and each change writes both against the version read); every change of a
/// case names that version, so two changes at once never both land. Closing the case removes
/// the copy.
struct CaseBook: Sendable {
    /// A case as read, with the version to write against.
    struct Stored: Sendable {
        var value: UrgentKnockCase
        var version: UInt64
    }

    let store: any ModuleStore

    static let cases = "cases"
    static let open = "open-case"

    /// The case `id`, or `nil`.
    func find(_ id: String) async throws -> Stored? {
        guard let record = try await store.get(collection: Self.cases, key: id) else { return nil }
        return Stored(value: try record.decode(UrgentKnockCase.self), version: record.version)
    }

    /// The resident's open case, or `nil`.
    func openCase(of residentID: String) async throws -> Stored? {
        try Self.stored(try await store.get(collection: Self.open, key: residentID))
    }

    /// The visited resident's open case, or `nil`, as it came with the visit (`visit_records`).
    func openCase(of visit: ModuleAssessRequest) async throws -> Stored? {
        try Self.stored(try await visit.visitRecord(in: Self.open, from: store))
    }

    private static func stored(_ record: ModuleRecord?) throws -> Stored? {
        guard let record else { return nil }
        return Stored(value: try record.decode(UrgentKnockCase.self), version: record.version)
    }

    /// The open cases of `community`.
    func openCases(in community: String) async throws -> [Stored] {
        try await matching(["community": community, "status": "open"])
    }

    /// Cases whose indexed fields match `conditions`.
    func matching(_ conditions: [String: String]) async throws -> [Stored] {
        var found: [Stored] = []
        var after: String?
        repeat {
            let page = try await store.query(collection: Self.cases, where: conditions, limit: 1_000, after: after)
            found += try page.records.map { Stored(value: try $0.decode(UrgentKnockCase.self), version: $0.version) }
            after = page.next
        } while after != nil
        return found
    }

    /// Stores a new open case and makes it its resident's open case.
    /// - Throws: ``RPCError`` `ABORTED` if the case id exists or the resident got an open case
    ///   meanwhile.
    /// - Parameters:
    ///   - opened: The case.
    ///   - also: New records written with it (an emergency's key), each only if new.
    func create(_ opened: UrgentKnockCase, also: [ModuleRecord] = []) async throws {
        try await write([
            .put(try ModuleRecord.make(opened, collection: Self.cases, key: opened.id, index: Self.index(of: opened)), expectedVersion: 0),
            .put(try ModuleRecord.make(opened, collection: Self.open, key: opened.residentID), expectedVersion: 0),
        ] + also.map { .put($0, expectedVersion: 0) }, what: "opening case \(opened.id)")
    }

    /// Stores a changed case and, while it is open, its resident's copy; a closed one stops
    /// being its resident's open case.
    /// - Parameters:
    ///   - changed: The case.
    ///   - version: The version read.
    ///   - also: New records written with it (an emergency's key), each only if new.
    /// - Throws: ``RPCError`` `ABORTED` if the case changed since `version` was read.
    func save(_ changed: UrgentKnockCase, over version: UInt64, also: [ModuleRecord] = []) async throws {
        var writes: [ModuleBatchRequest.Operation] = [
            .put(try ModuleRecord.make(changed, collection: Self.cases, key: changed.id, index: Self.index(of: changed)), expectedVersion: version),
        ]
        writes += also.map { .put($0, expectedVersion: 0) }
        if changed.status == .closed {
            writes.append(.delete(collection: Self.open, key: changed.residentID))
        } else {
            writes.append(.put(try ModuleRecord.make(changed, collection: Self.open, key: changed.residentID), expectedVersion: version))
        }
        try await write(writes, what: "case \(changed.id)")
    }

    private func write(_ operations: [ModuleBatchRequest.Operation], what: String) async throws {
        _ = try await RPCError.abortingOnVersionConflict("\(what) changed meanwhile; try again") { try await store.batch(operations) }
    }

    static func index(of stored: UrgentKnockCase) -> [String: String] {
        [
            "community": stored.communityID, "resident": stored.residentID,
            "status": stored.status == .open ? "open" : "closed", "opened_by": stored.openedBy,
        ]
    }
}
