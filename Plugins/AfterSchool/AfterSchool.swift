import Foundation
import KnockModuleKit

/// 四点半学校 The 4:30 after-school: children enrolled with their guardians and the people
/// authorised to collect them (授权接送人), sessions and tutors, the day's register, check-out only
/// to a guardian or an authorised person, and an alert when a child is not collected by closing
/// time.
///
/// - Check-out: the collector must be an enrolled guardian (name and phone) or an authorised
///   person (name with phone or ID-card last 4, or their member id). Anyone else is refused
///   (`PERMISSION_DENIED`) and the refusal is kept in the day's register.
/// - The `tick` event: once its `at` is past closing time (`closes`, in the deployment's time
///   zone), every child of the community checked in that day and not checked out raises an alert
///   (urgency high) naming the guardians and their phones as enrolled; once per child per day.
///   Days and times of day (a session's date, the day of a check-in) are the deployment's too.
///
/// Configuration (`modules.after-school.config`):
/// - `closes=18:00`: closing time, HH:MM.
///
/// Who may call: members of the child's community (any role but department officer) and the
/// administrator.
public struct AfterSchool: KnockModule {
    /// Enrol a child.
    public static let enrol = RPCMethod<AfterSchoolEnrolRequest, AfterSchoolEnrolment>("after-school.Enrol")
    /// Add a session.
    public static let addSession = RPCMethod<AfterSchoolAddSessionRequest, AfterSchoolSession>("after-school.AddSession")
    /// A member tutors a session.
    public static let assignTutor = RPCMethod<AfterSchoolAssignTutorRequest, AfterSchoolSession>("after-school.AssignTutor")
    /// A child arrives.
    public static let checkIn = RPCMethod<AfterSchoolCheckInRequest, AfterSchoolAttendanceEntry>("after-school.CheckIn")
    /// A child leaves with a guardian or an authorised person.
    public static let checkOut = RPCMethod<AfterSchoolCheckOutRequest, AfterSchoolAttendanceEntry>("after-school.CheckOut")
    /// A day's register.
    public static let attendance = RPCMethod<AfterSchoolAttendanceRequest, AfterSchoolAttendanceResponse>("after-school.Attendance")
    /// The children enrolled in a community.
    public static let listEnrolments = RPCMethod<AfterSchoolListEnrolmentsRequest, AfterSchoolListEnrolmentsResponse>("after-school.ListEnrolments")

    /// Creates the module.
    public init() {}

    /// after-school: handles the tick event, serves its methods; reads residents through the host.
    public var descriptor: ModuleDescriptor {
        var descriptor = ModuleDescriptor()
        descriptor.id = "after-school"
        descriptor.nameZh = "四点半学校"
        descriptor.nameEn = "The 4:30 after-school"
        descriptor.version = "1.0.0"
        descriptor.summary = "Enrolment with guardians and authorised pick-up persons, sessions and tutors, attendance, check-out only to an authorised person, an alert when a child is not collected by closing time."
        descriptor.methods = [
            Self.enrol.descriptor, Self.addSession.descriptor, Self.assignTutor.descriptor, Self.checkIn.descriptor,
            Self.checkOut.descriptor, Self.attendance.descriptor, Self.listEnrolments.descriptor,
        ].map(ModuleMethodInfo.init)
        descriptor.events = ["tick"]
        descriptor.permissions = ["residents.read"]
        // Generated from Protocol/modules with the methods above; the descriptor test checks they embed.
        try? descriptor.embedSchemas(base64: AfterSchoolSchemas.base64)
        return descriptor
    }

    /// On `tick` past closing time: an alert for each child checked in and not collected, once
    /// per child per day.
    /// - Throws: ``RPCError`` for a bad configuration or if the store fails.
    public func handle(_ event: ModuleEvent, context: ModuleContext) async throws -> [ModuleSuggestion] {
        guard event.kind == "tick", !event.communityID.isEmpty else { return [] }
        let configuration = try context.configuration(as: AfterSchoolConfiguration.self)
        let at = event.hasAt ? event.at.date : context.clock.now()
        guard context.calendar.minutes(of: at) > configuration.closesMinutes else { return [] }
        let date = context.calendar.day(of: at)
        let register = AfterSchoolRegister(store: context.store)
        var suggestions: [ModuleSuggestion] = []
        for (entry, version) in try await register.entries(community: event.communityID, date: date)
        where entry.hasCheckedInAt && !entry.hasCheckedOutAt && !entry.hasAlertedAt {
            var alerted = entry
            alerted.alertedAt = .init(date: at)
            do {
                try await register.put(alerted, expectedVersion: version)
            } catch let error as RPCError where error.code == .failedPrecondition {
                continue  // checked out or alerted meanwhile
            }
            let enrolment = try await register.enrolment(entry.childResidentID)
            var alert = ModuleRaiseAlert()
            alert.residentID = entry.childResidentID
            alert.urgency = .high
            alert.message = Self.notCollectedMessage(entry, enrolment: enrolment, closes: configuration.closes, calendar: context.calendar)
            var suggestion = ModuleSuggestion()
            suggestion.raiseAlert = alert
            suggestion.reason = "not collected by closing time"
            suggestions.append(suggestion)
        }
        return suggestions
    }

    /// "四点半学校: 陈小明 was not collected by 18:00 (checked in 16:30); guardian 陈伟 (父亲) 13900001111",
    /// the check-in time in `calendar`'s time zone (the deployment's).
    static func notCollectedMessage(_ entry: AfterSchoolAttendanceEntry, enrolment: AfterSchoolEnrolment?, closes: String, calendar: ModuleCalendar) -> String {
        let guardians = (enrolment?.guardians ?? []).map { guardian in
            "guardian \(guardian.name)\(guardian.relation.isEmpty ? "" : " (\(guardian.relation))") \(guardian.phone)"
        }
        let checkedIn = calendar.time(of: entry.checkedInAt.date)
        return "四点半学校: \(entry.childName) was not collected by \(closes) (checked in \(checkedIn)); "
            + (guardians.isEmpty ? "no guardian enrolled" : guardians.joined(separator: "; "))
    }

    /// Registers `after-school.*`; each handler refuses a call the host did not vouch for
    /// (`UNAUTHENTICATED`) and checks the caller's community and role.
    /// - Parameters:
    ///   - router: The module's router.
    ///   - context: The module's context, captured by the handlers.
    /// Checks this deployment's configuration at start (see ``AfterSchoolConfiguration``).
    public func validate(configuration: [String: String]) throws {
        _ = try AfterSchoolConfiguration(configuration)
    }

    public func registerMethods(with router: inout RPCRouter, context: ModuleContext) {
        let desk = AfterSchoolDesk(context: context)
        router.register(Self.enrol) { request, server in try await desk.enrol(request, by: try server.requireCaller()) }
        router.register(Self.addSession) { request, server in try await desk.addSession(request, by: try server.requireCaller()) }
        router.register(Self.assignTutor) { request, server in try await desk.assignTutor(request, by: try server.requireCaller()) }
        router.register(Self.checkIn) { request, server in try await desk.checkIn(request, by: try server.requireCaller()) }
        router.register(Self.checkOut) { request, server in try await desk.checkOut(request, by: try server.requireCaller()) }
        router.register(Self.attendance) { request, server in try await desk.attendance(request, by: try server.requireCaller()) }
        router.register(Self.listEnrolments) { request, server in try await desk.listEnrolments(request, by: try server.requireCaller()) }
    }
}
