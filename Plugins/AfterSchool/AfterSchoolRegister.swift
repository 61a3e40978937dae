import KnockModuleKit

/// after-school's records in its store:
///
/// | collection | key | value | indexed |
/// |---|---|---|---|
/// | `enrolments` | child resident id | ``AfterSchoolEnrolment`` | `community` |
/// | `sessions` | session id | ``AfterSchoolSession`` | `day` (`<community>|<date>`) |
/// | `attendance` | `<child>|<date>` | ``AfterSchoolAttendanceEntry`` (with refusals and the alert) | `day` |
struct AfterSchoolRegister: Sendable {
    let store: any ModuleStore

    func enrolment(_ childID: String) async throws -> AfterSchoolEnrolment? {
        try await store.get(AfterSchoolEnrolment.self, collection: "enrolments", key: childID)
    }

    func putEnrolment(_ enrolment: AfterSchoolEnrolment) async throws {
        try await store.put(enrolment, collection: "enrolments", key: enrolment.childResidentID, index: ["community": enrolment.communityID])
    }

    func enrolments(community: String) async throws -> [AfterSchoolEnrolment] {
        try await store.all(AfterSchoolEnrolment.self, collection: "enrolments", where: ["community": community])
    }

    func session(_ id: String) async throws -> (session: AfterSchoolSession, version: UInt64)? {
        guard let record = try await store.get(collection: "sessions", key: id) else { return nil }
        return (try record.decode(AfterSchoolSession.self), record.version)
    }

    func putSession(_ session: AfterSchoolSession, expectedVersion: UInt64?) async throws {
        try await store.put(session, collection: "sessions", key: session.id, index: ["day": "\(session.communityID)|\(session.date)"], expectedVersion: expectedVersion)
    }

    func sessions(community: String, date: String) async throws -> [AfterSchoolSession] {
        try await store.all(AfterSchoolSession.self, collection: "sessions", where: ["day": "\(community)|\(date)"])
    }

    func entry(child: String, date: String) async throws -> (entry: AfterSchoolAttendanceEntry, version: UInt64)? {
        guard let record = try await store.get(collection: "attendance", key: "\(child)|\(date)") else { return nil }
        return (try record.decode(AfterSchoolAttendanceEntry.self), record.version)
    }

    func put(_ entry: AfterSchoolAttendanceEntry, expectedVersion: UInt64?) async throws {
        try await store.put(entry, collection: "attendance", key: "\(entry.childResidentID)|\(entry.date)",
                            index: ["day": "\(entry.communityID)|\(entry.date)"], expectedVersion: expectedVersion)
    }

    func entries(community: String, date: String) async throws -> [(AfterSchoolAttendanceEntry, UInt64)] {
        var entries: [(AfterSchoolAttendanceEntry, UInt64)] = []
        var after: String?
        repeat {
            let page = try await store.query(collection: "attendance", where: ["day": "\(community)|\(date)"], limit: 1_000, after: after)
            entries += try page.records.map { (try $0.decode(AfterSchoolAttendanceEntry.self), $0.version) }
            after = page.next
        } while after != nil
        return entries
    }
}
