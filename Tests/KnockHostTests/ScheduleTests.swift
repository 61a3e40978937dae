import Foundation
import KnockDomain
import KnockHost
import KnockModuleKit
import KnockPKI
import KnockStore
import KnockTestSupport
import Synchronization
import Testing

/// The host's clock (the `tick` event, `knock.community.Tick`), alerts raised directly, and the
/// caller the host vouches for on calls to a module's own methods.
@Suite("Scheduled checks, raised alerts, vouched callers")
struct ScheduleTests {
    /// Remembers every tick it hears; at or after 18:00 it raises an alert about r-1, naming the
    /// day and time it was told. Its own method answers who called, as the host vouched.
    struct Closing: KnockModule {
        static let whoAmI = RPCMethod<ModuleDescribeRequest, ModuleRegisterResponse>("closing.WhoAmI")
        let heard = Heard()

        final class Heard: Sendable {
            let events = Mutex<[ModuleEvent]>([])
        }

        var descriptor: ModuleDescriptor {
            ModuleDescriptor(id: "closing", nameZh: "关门检查", nameEn: "Closing check", summary: "Raises an alert when the day closes.",
                             methods: [Self.whoAmI.descriptor], events: [CommunityService.tickEvent])
        }

        func handle(_ event: ModuleEvent, context: ModuleContext) async throws -> [ModuleSuggestion] {
            heard.events.withLock { $0.append(event) }
            guard event.communityID == "qinghe", let time = event.attributes["time"], time >= "18:00" else { return [] }
            var alert = ModuleRaiseAlert()
            alert.residentID = "r-1"
            alert.urgency = .high
            alert.message = "closing check \(event.attributes["date"] ?? "?") \(time)"
            var suggestion = ModuleSuggestion()
            suggestion.raiseAlert = alert
            return [suggestion]
        }

        func registerMethods(with router: inout RPCRouter, context: ModuleContext) {
            router.register(Self.whoAmI) { _, call in
                let caller = try call.requireCaller()
                var response = ModuleRegisterResponse()
                response.communities = [caller.identity, caller.roles.sorted().joined(separator: ","), caller.communityID] + caller.gridIDs
                return response
            }
        }
    }

    @Test("an administrator's tick runs the methods' scheduled checks as of the time given; others may not")
    func tick() async throws {
        let closing = Closing()
        try await CommunityFixture.with(builtIns: [closing]) { street in
            let admin = try await street.connect(.administrator, "admin")
            defer { admin.close() }
            // 2026-11-30 17:30 in Wuhan: nothing to raise yet.
            var request = CommunityTickRequest()
            request.communityID = "qinghe"
            request.at = .init(date: SmallStreet.morning.addingTimeInterval(7.5 * 3_600))
            #expect(try await admin.call(CommunityMethods.tick, request).raised.isEmpty)
            let first = try #require(closing.heard.events.withLock { $0.last })
            #expect(first.kind == "tick")
            #expect(first.communityID == "qinghe")
            #expect(first.attributes == ["date": "2026-11-30", "time": "17:30"])
            #expect(first.at.date == request.at.date)

            // 18:05: the check raises its alert, applied with the method as its source.
            request.at = .init(date: SmallStreet.morning.addingTimeInterval(8 * 3_600 + 300))
            let raised = try await admin.call(CommunityMethods.tick, request)
            #expect(raised.raised.map(\.outcome) == [.applied])
            let alerts = try await admin.call(CommunityMethods.listAlerts, CommunityListAlertsRequest())
            #expect(alerts.alerts.map(\.message) == ["closing check 2026-11-30 18:05"])
            #expect(alerts.alerts.first?.raisedBy == "module:closing")

            // Every community when none is named.
            let before = closing.heard.events.withLock { $0.count }
            _ = try await admin.call(CommunityMethods.tick, CommunityTickRequest())
            let communities = closing.heard.events.withLock { $0[before...].map(\.communityID) }.sorted()
            #expect(communities == ["qinghe", "qingyi"])

            // An unknown community; a member (even staff) may not run the checks.
            request.communityID = "nowhere"
            let unknown = try await #require(throws: RPCError.self) { try await admin.call(CommunityMethods.tick, request) }
            #expect(unknown.code == .notFound)
            let staff = try await street.connect(.member, "m-2")
            defer { staff.close() }
            request.communityID = "qinghe"
            let refused = try await #require(throws: RPCError.self) { try await staff.call(CommunityMethods.tick, request) }
            #expect(refused.code == .permissionDenied)
            // The host's own clock: a community with such a method ticks; one without does not.
            #expect(street.served.service.ticks(community: "qinghe"))
        }
    }

    @Test("a key-person reason leaves the list once its end has come, when the host's clock or an administrator's tick runs")
    func keyPersonReasonsEnd() async throws {
        try await CommunityFixture.with(builtIns: []) { street in
            let admin = try await street.connect(.administrator, "admin")
            defer { admin.close() }
            let morning = SmallStreet.morning
            try await street.database.flagKeyPerson(residentID: "r-1", reason: "独居高龄", cadenceDays: 7, caller: CommunityFixture.administrator, at: morning)
            try await street.database.flagKeyPerson(residentID: "r-1", reason: "近期出院", cadenceDays: 1, until: morning.addingTimeInterval(86_400),
                                                    caller: CommunityFixture.administrator, at: morning)
            func reasons() async throws -> [String] {
                try await admin.call(CommunityMethods.listKeyPersons, CommunityListKeyPersonsRequest()).keyPersons
                    .first { $0.residentID == "r-1" }?.reasons.map(\.reason) ?? []
            }
            #expect(try await reasons() == ["独居高龄", "近期出院"])

            // A tick before the end changes nothing; one after it takes the reason off.
            var request = CommunityTickRequest()
            request.at = .init(date: morning.addingTimeInterval(3_600))
            _ = try await admin.call(CommunityMethods.tick, request)
            #expect(try await reasons() == ["独居高龄", "近期出院"])
            request.at = .init(date: morning.addingTimeInterval(86_400 + 60))
            _ = try await admin.call(CommunityMethods.tick, request)
            #expect(try await reasons() == ["独居高龄"])

            // What the host's clock runs at start and every minute, whether or not a method asks for ticks.
            try await street.database.flagKeyPerson(residentID: "r-1", reason: "近期出院", cadenceDays: 1, until: Date().addingTimeInterval(0.5),
                                                    caller: CommunityFixture.administrator, at: Date())
            try await Task.sleep(for: .seconds(1))
            #expect(try await street.served.service.endKeyPersonReasons(at: Date()) == ["r-1": ["近期出院"]])
            #expect(try await reasons() == ["独居高龄"])
        }
    }

    @Test("a member raises an alert about a resident in their grids; outside them the resident is unknown")
    func raiseAlert() async throws {
        try await CommunityFixture.with { street in
            let volunteer = try await street.connect(.member, "m-1")
            defer { volunteer.close() }
            var request = CommunityRaiseAlertRequest()
            request.id = "a-door-open"
            request.residentID = "r-1"
            request.urgency = .critical
            request.message = "门开着，屋里没人应"
            let alert = try await volunteer.call(CommunityMethods.raiseAlert, request)
            #expect(alert.raisedBy == "member:m-1")
            #expect(alert.gridID == "qinghe-g01")
            #expect(alert.urgency == .critical)
            // Sent again (a retry on a bad network): the same alert is answered, nothing is raised twice.
            #expect(try await volunteer.call(CommunityMethods.raiseAlert, request) == alert)
            // Another alert under that id is refused.
            var other = request
            other.message = "楼道有烟味"
            let taken = try await #require(throws: RPCError.self) { try await volunteer.call(CommunityMethods.raiseAlert, other) }
            #expect(taken.code == .alreadyExists)

            // r-2 lives in qinghe-g02, not the volunteer's grid.
            request.id = ""
            request.residentID = "r-2"
            let outside = try await #require(throws: RPCError.self) { try await volunteer.call(CommunityMethods.raiseAlert, request) }
            #expect(outside.code == .notFound)
            request.residentID = "r-1"
            request.message = "  "
            let empty = try await #require(throws: RPCError.self) { try await volunteer.call(CommunityMethods.raiseAlert, request) }
            #expect(empty.code == .invalidArgument)

            var open = CommunityListAlertsRequest()
            open.openOnly = true
            #expect(try await volunteer.call(CommunityMethods.listAlerts, open).alerts.map(\.id) == ["a-door-open"])
            open.residentID = "r-1"
            #expect(try await volunteer.call(CommunityMethods.listAlerts, open).alerts.map(\.id) == ["a-door-open"])
            open.residentID = "r-3"
            #expect(try await volunteer.call(CommunityMethods.listAlerts, open).alerts.isEmpty)
        }
    }

    @Test("a module's method sees the caller the host vouches for, never one the caller claims")
    func vouchedCaller() async throws {
        let grants = [try AccessGrant(identity: "knock://integrator/hospital", role: "integrator", scope: "community:qinghe")]
        try await CommunityFixture.with(builtIns: [Closing()], grants: grants) { street in
            let staff = try await street.connect(.member, "m-2")
            defer { staff.close() }
            // The member claims to be the administrator: the claim is dropped.
            var forged = Metadata()
            forged.add(ModuleCaller.identityKey, "knock://admin/admin")
            forged.add("knock-caller-roles", "staff,admin")
            let seen = try await staff.call(Closing.whoAmI, ModuleDescribeRequest(), options: CallOptions(metadata: forged))
            #expect(seen.communities == ["knock://member/m-2", "staff", "qinghe", "qinghe-g02", "qinghe-g01"])

            let integrator = try await street.connect(.integrator, "hospital")
            defer { integrator.close() }
            #expect(try await integrator.call(Closing.whoAmI, ModuleDescribeRequest()).communities == ["knock://integrator/hospital", "integrator", "qinghe"])
            // An integrator the host recorded nothing for is refused.
            let unknown = try await street.connect(.integrator, "unknown-system")
            defer { unknown.close() }
            #expect(try await #require(throws: RPCError.self) { try await unknown.call(Closing.whoAmI, ModuleDescribeRequest()) }.code == .permissionDenied)

            // A member no longer on the roster is refused before the module is asked.
            let stranger = try await street.connect(.member, "m-404")
            defer { stranger.close() }
            let refused = try await #require(throws: RPCError.self) { try await stranger.call(Closing.whoAmI, ModuleDescribeRequest()) }
            #expect(refused.code == .permissionDenied)
        }
    }

    @Test("who may call what is checked around every handler: the host's operator methods, the module contract, modules calling modules")
    func authorization() async throws {
        /// Calls closing.WhoAmI through the host, claiming to be the administrator.
        struct Impostor: KnockModule {
            static let relay = RPCMethod<ModuleDescribeRequest, ModuleRegisterResponse>("impostor.Relay")
            var descriptor: ModuleDescriptor {
                ModuleDescriptor(id: "impostor", nameZh: "冒名", nameEn: "Impostor", summary: "Claims to be someone else.", methods: [Self.relay.descriptor])
            }

            func registerMethods(with router: inout RPCRouter, context: ModuleContext) {
                router.register(Self.relay) { request, _ in
                    var claim = Metadata()
                    ModuleCaller(identity: "knock://admin/admin", roles: ["staff"]).stamp(&claim)
                    guard let host = context.host else { throw RPCError(code: .unavailable, message: "no host") }
                    return try await host.call(Closing.whoAmI, request, options: CallOptions(metadata: claim))
                }
            }
        }
        try await CommunityFixture.with(builtIns: [Closing(), Impostor()]) { street in
            let volunteer = try await street.connect(.member, "m-1")
            defer { volunteer.close() }
            let staff = try await street.connect(.member, "m-2")
            defer { staff.close() }
            let admin = try await street.connect(.administrator, "admin")
            defer { admin.close() }
            // The deployment's workings: staff and administrators, not volunteers.
            let listModules = RPCMethod<HostListModulesRequest, HostListModulesResponse>("knock.host.ListModules")
            #expect(try await #require(throws: RPCError.self) { try await volunteer.call(listModules, .init()) }.code == .permissionDenied)
            #expect(try await staff.call(listModules, .init()).modules.map(\.id).sorted() == ["closing", "impostor"])
            #expect(try await admin.call(listModules, .init()).modules.count == 2)
            // Health is for anyone with a certificate.
            #expect(try await volunteer.call(RPCMethod<HostHealthRequest, HostHealthResponse>("knock.host.Health"), .init()).status == "serving")
            // The module contract is for modules: a member cannot write a module's store.
            var put = ModulePutRequest()
            put.record.collection = "x"
            put.record.key = "y"
            #expect(try await #require(throws: RPCError.self) { try await admin.call(ModuleMethods.put, put) }.code == .permissionDenied)
            // A built-in module calling another module is vouched for as itself, whatever it claims.
            let relayed = try await volunteer.call(Impostor.relay, ModuleDescribeRequest())
            #expect(relayed.communities.first == "knock://module/impostor")
        }
    }

    @Test("a module records the reads of personal data it serves from its own store; the audit log shows who read, through which module")
    func moduleReadsAudited() async throws {
        /// Keeps notes about residents; shows them to staff and records each showing.
        struct Keeper: KnockModule {
            static let show = RPCMethod<CommunityGetResidentRequest, CommunityAuditEntry>("keeper.Show")
            static let misname = RPCMethod<CommunityGetResidentRequest, CommunityAuditEntry>("keeper.Misname")
            var descriptor: ModuleDescriptor {
                ModuleDescriptor(id: "keeper", nameZh: "记录员", nameEn: "Keeper", summary: "Keeps notes.",
                                 methods: [Self.show.descriptor, Self.misname.descriptor], permissions: ["audit.write"])
            }

            func registerMethods(with router: inout RPCRouter, context: ModuleContext) {
                for (method, action) in [(Self.show, "keeper.notes.read"), (Self.misname, "notes.read")] {
                    router.register(method) { request, call in
                        var read = CommunityRecordReadRequest()
                        read.action = action
                        read.residentIds = [request.id]
                        read.by = try call.requireCaller().identity
                        guard let host = context.host else { throw RPCError(code: .unavailable, message: "no host") }
                        return try await host.call(CommunityMethods.recordRead, read, options: CallOptions(timeout: .seconds(5)))
                    }
                }
            }
        }
        let policy = HostModuleService.Policy(communities: { $0 == "keeper" ? ["qinghe"] : [] })
        try await CommunityFixture.with(builtIns: [Keeper()], policy: policy) { street in
            let staff = try await street.connect(.member, "m-2")
            defer { staff.close() }
            var request = CommunityGetResidentRequest()
            request.id = "r-1"
            let entry = try await staff.call(Keeper.show, request)
            #expect(entry.by == "member:m-2")
            #expect(entry.via == "keeper")
            let admin = try await street.connect(.administrator, "admin")
            defer { admin.close() }
            var audit = CommunityListAuditRequest()
            audit.residentID = "r-1"
            let log = try await admin.call(CommunityMethods.listAudit, audit)
            #expect(log.entries.contains { $0.action == "keeper.notes.read" && $0.by == "member:m-2" && $0.via == "keeper" })
            // Outside the module's communities, an action not in its namespace, a member recording reads: refused.
            request.id = "r-3"
            #expect(try await #require(throws: RPCError.self) { try await staff.call(Keeper.show, request) }.code == .notFound)
            request.id = "r-1"
            #expect(try await #require(throws: RPCError.self) { try await staff.call(Keeper.misname, request) }.code == .invalidArgument)
            var forged = CommunityRecordReadRequest()
            forged.action = "keeper.notes.read"
            forged.residentIds = ["r-1"]
            forged.by = "knock://member/m-1"
            #expect(try await #require(throws: RPCError.self) { try await staff.call(CommunityMethods.recordRead, forged) }.code == .permissionDenied)
        }
    }
}
