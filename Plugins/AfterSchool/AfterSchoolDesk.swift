import Foundation
import KnockModuleKit

/// The handlers of after-school's methods, each given the caller the host vouched for.
struct AfterSchoolDesk: Sendable {
    let context: ModuleContext
    var register: AfterSchoolRegister { AfterSchoolRegister(store: context.store) }

    /// The work callers must be allowed to do here (members of the child's community, any role
    /// but department officer, and the administrator), as refusals name it.
    static let work = "work the after-school"

    // MARK: Enrolment

    /// Enrols a child (or replaces their guardians and authorised persons).
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` for a missing child, no guardian, a guardian
    ///   without name or phone, an authorised person without a name and a phone, ID-card last 4
    ///   or member id; `NOT_FOUND` for an unknown resident; `FAILED_PRECONDITION` for a resident
    ///   who is not a child or no host to read them from; `PERMISSION_DENIED`.
    func enrol(_ request: AfterSchoolEnrolRequest, by caller: ModuleCaller) async throws -> AfterSchoolEnrolment {
        guard !request.childResidentID.isEmpty, request.childResidentID.utf8.count <= 100 else {
            throw RPCError(code: .invalidArgument, message: "child_resident_id is required (at most 100 bytes)")
        }
        guard (1...4).contains(request.guardians.count) else { throw RPCError(code: .invalidArgument, message: "give 1 to 4 guardians") }
        for guardian in request.guardians {
            guard !PickUp.normalisedName(guardian.name).isEmpty, (7...20).contains(PickUp.digits(guardian.phone).count) else {
                throw RPCError(code: .invalidArgument, message: "every guardian needs a name and a phone number (7 to 20 digits)")
            }
        }
        guard request.authorised.count <= 10 else { throw RPCError(code: .invalidArgument, message: "at most 10 authorised pick-up persons") }
        for person in request.authorised {
            let hasPhone = (7...20).contains(PickUp.digits(person.phone).count)
            let last4 = person.idCardLast4
            let hasCard = last4.count == 4 && last4.uppercased().allSatisfy { ($0.isASCII && $0.isNumber) || $0 == "X" }
            guard !PickUp.normalisedName(person.name).isEmpty, hasPhone || hasCard || !person.memberID.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "authorised pick-up person \"\(person.name)\" needs a name and a phone, the last 4 of their ID card, or a member id")
            }
            guard last4.isEmpty || hasCard else {
                throw RPCError(code: .invalidArgument, message: "id_card_last4 of \(person.name) must be 4 digits (or X), not \"\(last4)\"")
            }
        }
        let child = try await context.resident(request.childResidentID)
        try caller.requireCommunityWork(in: child.communityID, Self.work)
        guard child.tags.contains(.child) else {
            throw RPCError(code: .failedPrecondition, message: "\(child.name) (\(child.id)) is not a child: the after-school enrols children")
        }
        let existing = try await register.enrolment(child.id)
        var enrolment = existing ?? AfterSchoolEnrolment()
        enrolment.childResidentID = child.id
        enrolment.childName = child.name
        enrolment.communityID = child.communityID
        enrolment.gridID = child.gridID
        enrolment.guardians = request.guardians
        enrolment.authorised = request.authorised
        if existing == nil {
            enrolment.enrolledBy = caller.provenance
            enrolment.enrolledAt = .init(date: context.clock.now())
        }
        try await register.putEnrolment(enrolment)
        return enrolment
    }

    /// The children enrolled in a community.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT`, `PERMISSION_DENIED`.
    func listEnrolments(_ request: AfterSchoolListEnrolmentsRequest, by caller: ModuleCaller) async throws -> AfterSchoolListEnrolmentsResponse {
        let community = try caller.community(named: request.communityID, Self.work)
        var response = AfterSchoolListEnrolmentsResponse()
        response.enrolments = try await register.enrolments(community: community)
        return response
    }

    // MARK: Sessions

    /// Adds a session; idempotent by the client's id.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT`, `ALREADY_EXISTS` for an id used for another
    ///   session, `PERMISSION_DENIED`.
    func addSession(_ request: AfterSchoolAddSessionRequest, by caller: ModuleCaller) async throws -> AfterSchoolSession {
        var session = request.session
        guard !session.id.isEmpty, session.id.utf8.count <= 100 else { throw RPCError(code: .invalidArgument, message: "session.id is required (at most 100 bytes)") }
        session.communityID = try caller.community(named: session.communityID, Self.work)
        try context.calendar.check(session.date, field: "session.date")
        guard let starts = ModuleCalendar.minutes(parsing: session.starts), let ends = ModuleCalendar.minutes(parsing: session.ends), starts < ends else {
            throw RPCError(code: .invalidArgument, message: "session.starts and session.ends must be times of day, HH:MM, the start before the end")
        }
        guard !session.subject.trimmingCharacters(in: .whitespaces).isEmpty, session.subject.utf8.count <= 200 else {
            throw RPCError(code: .invalidArgument, message: "session.subject is required (at most 200 bytes)")
        }
        session.tutorMemberIds = []
        if let (existing, _) = try await register.session(session.id) {
            guard existing.communityID == session.communityID, existing.date == session.date, existing.starts == session.starts,
                  existing.ends == session.ends, existing.subject == session.subject else {
                throw RPCError(code: .alreadyExists, message: "session id \(session.id) is taken by another session")
            }
            return existing
        }
        do {
            try await register.putSession(session, expectedVersion: 0)
        } catch let error as RPCError where error.code == .failedPrecondition {
            throw RPCError(code: .alreadyExists, message: "session id \(session.id) was taken at the same moment", cause: error)
        }
        return session
    }

    /// A member tutors a session.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT`, `NOT_FOUND`, `PERMISSION_DENIED`.
    func assignTutor(_ request: AfterSchoolAssignTutorRequest, by caller: ModuleCaller) async throws -> AfterSchoolSession {
        guard !request.tutorMemberID.isEmpty, request.tutorMemberID.utf8.count <= 100 else {
            throw RPCError(code: .invalidArgument, message: "tutor_member_id is required (at most 100 bytes)")
        }
        guard !request.sessionID.isEmpty else { throw RPCError(code: .invalidArgument, message: "session_id is required") }
        guard let (stored, version) = try await register.session(request.sessionID) else {
            throw RPCError(code: .notFound, message: "no session \(request.sessionID)")
        }
        try caller.requireCommunityWork(in: stored.communityID, Self.work)
        guard !stored.tutorMemberIds.contains(request.tutorMemberID) else { return stored }
        var session = stored
        session.tutorMemberIds.append(request.tutorMemberID)
        try await RPCError.abortingOnVersionConflict("session \(session.id) changed meanwhile; try again") {
            try await register.putSession(session, expectedVersion: version)
        }
        return session
    }

    // MARK: Attendance

    /// A child arrives; a repeated check-in the same day answers the entry as it is.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT`, `FAILED_PRECONDITION` for a child not enrolled
    ///   or collected already that day, `NOT_FOUND` for an unknown session, `PERMISSION_DENIED`.
    func checkIn(_ request: AfterSchoolCheckInRequest, by caller: ModuleCaller) async throws -> AfterSchoolAttendanceEntry {
        guard !request.childResidentID.isEmpty else { throw RPCError(code: .invalidArgument, message: "child_resident_id is required") }
        guard request.hasAt else { throw RPCError(code: .invalidArgument, message: "at is required (when the child arrived)") }
        guard let enrolment = try await register.enrolment(request.childResidentID) else {
            throw RPCError(code: .failedPrecondition, message: "child \(request.childResidentID) is not enrolled with the after-school")
        }
        try caller.requireCommunityWork(in: enrolment.communityID, Self.work)
        let date = context.calendar.day(of: request.at.date)
        if !request.sessionID.isEmpty {
            guard let (session, _) = try await register.session(request.sessionID), session.communityID == enrolment.communityID else {
                throw RPCError(code: .notFound, message: "no session \(request.sessionID) in \(enrolment.communityID)")
            }
            guard session.date == date else {
                throw RPCError(code: .invalidArgument, message: "session \(session.id) is on \(session.date), not \(date)")
            }
        }
        if let (existing, _) = try await register.entry(child: enrolment.childResidentID, date: date), existing.hasCheckedInAt {
            guard !existing.hasCheckedOutAt else {
                throw RPCError(code: .failedPrecondition, message: "\(enrolment.childName) was collected already on \(date) at \(context.calendar.time(of: existing.checkedOutAt.date))")
            }
            return existing
        }
        var entry = AfterSchoolAttendanceEntry()
        entry.childResidentID = enrolment.childResidentID
        entry.childName = enrolment.childName
        entry.communityID = enrolment.communityID
        entry.date = date
        entry.sessionID = request.sessionID
        entry.checkedInAt = request.at
        entry.checkedInBy = caller.provenance
        try await RPCError.abortingOnVersionConflict("\(enrolment.childName) was checked in at the same moment") {
            try await register.put(entry, expectedVersion: 0)
        }
        return entry
    }

    /// A child leaves with a guardian or an authorised person; anyone else is refused and the
    /// refusal is recorded in the day's register.
    /// - Throws: ``RPCError`` `PERMISSION_DENIED` for a collector who is neither (or a caller
    ///   outside the community), `INVALID_ARGUMENT`, `FAILED_PRECONDITION` for a child not
    ///   enrolled, not checked in that day or collected already.
    func checkOut(_ request: AfterSchoolCheckOutRequest, by caller: ModuleCaller) async throws -> AfterSchoolAttendanceEntry {
        guard !request.childResidentID.isEmpty else { throw RPCError(code: .invalidArgument, message: "child_resident_id is required") }
        guard request.hasAt else { throw RPCError(code: .invalidArgument, message: "at is required (when the child left)") }
        guard !request.collectorName.isEmpty || !request.collectorMemberID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "name the collector: collector_name with collector_phone or collector_id_card_last4, or collector_member_id")
        }
        guard request.collectorName.utf8.count <= 200, request.collectorPhone.utf8.count <= 40, request.collectorIDCardLast4.utf8.count <= 8,
              request.collectorMemberID.utf8.count <= 100 else {
            throw RPCError(code: .invalidArgument, message: "the collector's details are too long")
        }
        guard let enrolment = try await register.enrolment(request.childResidentID) else {
            throw RPCError(code: .failedPrecondition, message: "child \(request.childResidentID) is not enrolled with the after-school")
        }
        try caller.requireCommunityWork(in: enrolment.communityID, Self.work)
        let date = context.calendar.day(of: request.at.date)
        guard let (stored, version) = try await register.entry(child: enrolment.childResidentID, date: date), stored.hasCheckedInAt else {
            throw RPCError(code: .failedPrecondition, message: "\(enrolment.childName) was not checked in on \(date)")
        }
        guard !stored.hasCheckedOutAt else {
            throw RPCError(code: .failedPrecondition, message: "\(enrolment.childName) was collected already at \(context.calendar.time(of: stored.checkedOutAt.date)) by \(stored.collectedByName)")
        }
        var entry = stored
        guard let pickUp = PickUp(request, enrolment: enrolment) else {
            var refusal = AfterSchoolRefusal()
            refusal.at = request.at
            refusal.name = request.collectorName
            refusal.phone = request.collectorPhone
            refusal.idCardLast4 = request.collectorIDCardLast4
            refusal.memberID = request.collectorMemberID
            refusal.recordedBy = caller.provenance
            entry.refusals.append(refusal)
            try await register.put(entry, expectedVersion: version)
            context.logger.warning("refused a pick-up", metadata: ["child": "\(enrolment.childResidentID)"])
            let who = request.collectorName.isEmpty ? "member \(request.collectorMemberID)" : request.collectorName
            let guardians = enrolment.guardians.map { "\($0.name) \($0.phone)" }.joined(separator: ", ")
            throw RPCError(code: .permissionDenied, message: "\(who) is not a guardian or authorised pick-up person of \(enrolment.childName) (or the phone or ID card does not match): the child stays, the refusal is recorded; call the guardian: \(guardians)")
        }
        entry.checkedOutAt = request.at
        entry.checkedOutBy = caller.provenance
        entry.collectedByName = pickUp.name
        entry.collectedAs = pickUp.collectedAs
        try await RPCError.abortingOnVersionConflict("\(enrolment.childName)'s register changed meanwhile; try again") {
            try await register.put(entry, expectedVersion: version)
        }
        return entry
    }

    /// A day's register: every child checked in (with refusals and alerts) and the sessions.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT`, `PERMISSION_DENIED`.
    func attendance(_ request: AfterSchoolAttendanceRequest, by caller: ModuleCaller) async throws -> AfterSchoolAttendanceResponse {
        let community = try caller.community(named: request.communityID, Self.work)
        try context.calendar.check(request.date, field: "date")
        var response = AfterSchoolAttendanceResponse()
        response.date = request.date
        response.entries = try await register.entries(community: community, date: request.date).map(\.0)
        response.sessions = try await register.sessions(community: community, date: request.date)
        return response
    }
}
