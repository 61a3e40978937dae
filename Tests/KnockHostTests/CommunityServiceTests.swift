import Foundation
import KnockDomain
@testable import KnockHost
import KnockModuleKit
import KnockPKI
import KnockStore
import KnockTestSupport
import Synchronization
import Testing

/// The community services as an app, an administrator and a module call them: over mutual TLS,
/// each caller within its scope.
@Suite("Community services")
struct CommunityServiceTests {
    @Test("a visit is recorded once however often it is sent; the methods' suggestions are applied with their provenance")
    func visitPipeline() async throws {
        try await CommunityFixture.with(builtIns: [ElderCheck()]) { street in
            let app = try await street.connect(.member, "m-1")
            defer { app.close() }
            let request = CommunityFixture.visit("v-1", resident: "r-1", outcome: .noAnswer, requests: ["希望送餐上门"])
            let first = try await app.call(CommunityMethods.recordVisit, request)
            #expect(!first.duplicate)
            #expect(first.visit.memberID == "m-1")
            #expect(first.visit.householdID == "h-1")
            #expect(first.visit.gridID == "qinghe-g01")
            #expect(first.problems.isEmpty)
            let raised = first.raised.map { "\($0.suggestion.suggestedBy):\($0.outcome)" }.sorted()
            #expect(raised == ["elder-check:applied", "elder-check:applied"])

            // The app retries (it never saw the answer): same id, nothing new.
            let retry = try await app.call(CommunityMethods.recordVisit, request)
            #expect(retry.duplicate)
            #expect(retry.raised.isEmpty)
            #expect(retry.visit == first.visit)

            // The same id with other content is refused and changes nothing.
            var changed = request
            changed.visit.observations = "另一条记录"
            let conflict = try await #require(throws: RPCError.self) { try await app.call(CommunityMethods.recordVisit, changed) }
            #expect(conflict.code == .alreadyExists)

            // One need (meals) from elder-check, one open alert.
            let needs = try await app.call(CommunityMethods.listNeeds, CommunityListNeedsRequest())
            #expect(needs.needs.map(\.category) == ["meals"])
            #expect(needs.needs.first?.raisedBy == "module:elder-check")
            #expect(needs.needs.first?.visitID == "v-1")
            #expect(needs.needs.first?.status == .open)
            var open = CommunityListAlertsRequest()
            open.openOnly = true
            let alerts = try await app.call(CommunityMethods.listAlerts, open)
            #expect(alerts.alerts.count == 1)
            #expect(alerts.alerts.first?.raisedBy == "module:elder-check")

            // A second visit asking again: the need is a duplicate, not a second entry.
            let again = try await app.call(CommunityMethods.recordVisit, CommunityFixture.visit("v-2", resident: "r-1", requests: ["送餐"]))
            #expect(again.raised.map(\.outcome) == [.duplicate])
            #expect(try await app.call(CommunityMethods.listNeeds, CommunityListNeedsRequest()).needs.count == 1)
        }
    }

    @Test("a method that hangs in assess is cut off at its limit; the visit is recorded and the answer names the method")
    func hangingMethod() async throws {
        try await CommunityFixture.with(builtIns: [ElderCheck(), StuckModule()], limits: ModuleLimits(assess: .milliseconds(300))) { street in
            let app = try await street.connect(.member, "m-1")
            defer { app.close() }
            let started = ContinuousClock.now
            let response = try await app.call(CommunityMethods.recordVisit, CommunityFixture.visit("v-9", resident: "r-1", requests: ["送餐"]))
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(response.problems.map(\.module) == ["stuck"])
            #expect(response.problems.first?.detail == "timed out")
            #expect(response.raised.map(\.outcome) == [.applied])
            // Stored: a retry is a duplicate.
            #expect(try await app.call(CommunityMethods.recordVisit, CommunityFixture.visit("v-9", resident: "r-1", requests: ["送餐"])).duplicate)
        }
    }

    @Test("a method that answers ABORTED (what it read changed meanwhile) is asked again, up to three times in all")
    func conflictRetried() async throws {
        let willSettle = ConflictingModule(id: "settles", conflicts: 2)
        let neverSettles = ConflictingModule(id: "never-settles", conflicts: 100)
        try await CommunityFixture.with(builtIns: [willSettle, neverSettles]) { street in
            let app = try await street.connect(.member, "m-1")
            defer { app.close() }
            let response = try await app.call(CommunityMethods.recordVisit, CommunityFixture.visit("v-1", resident: "r-1"))
            // The first answered on its third try and its need was raised; the second gave up
            // after three and is named with its error.
            #expect(response.raised.map { "\($0.suggestion.suggestedBy):\($0.outcome)" } == ["settles:applied"])
            #expect(response.problems.map(\.module) == ["never-settles"])
            #expect(response.problems.first?.detail.contains("changed meanwhile") == true)
            #expect(willSettle.attempts == 3)
            #expect(neverSettles.attempts == 3)
        }
    }

    @Test("the key-persons list of one community: its entries only, each naming its community, and never beyond the caller's scope")
    func keyPersonsOfCommunity() async throws {
        let policy = HostModuleService.Policy(communities: { $0 == "reader" ? ["qingyi"] : [] })
        try await CommunityFixture.with(builtIns: [Reader()], policy: policy) { street in
            // r-1 lives in 青和居 (on the list already), r-3 in 青宜居.
            try await street.database.flagKeyPerson(residentID: "r-3", reason: "留守儿童", cadenceDays: 7, caller: CommunityFixture.administrator, at: CommunityFixture.morning)
            let admin = try await street.connect(.administrator, "admin")
            let module = try await street.connect(.module, "reader")
            defer { admin.close(); module.close() }
            func list(_ connection: RPCConnection, _ community: String) async throws -> [String] {
                var request = CommunityListKeyPersonsRequest()
                request.communityID = community
                return try await connection.call(CommunityMethods.listKeyPersons, request).keyPersons.map { "\($0.residentID)@\($0.communityID)" }
            }
            #expect(try await list(admin, "") == ["r-1@qinghe", "r-3@qingyi"])
            #expect(try await list(admin, "qinghe") == ["r-1@qinghe"])
            #expect(try await list(admin, "qingyi") == ["r-3@qingyi"])
            #expect(try await list(admin, "nowhere") == [])
            // A module enabled for 青宜居 asking for 青和居 gets nothing.
            #expect(try await list(module, "qinghe") == [])
            #expect(try await list(module, "qingyi") == ["r-3@qingyi"])

            // In pages: one entry each, the second after the first; a page larger than 1000 is refused.
            var request = CommunityListKeyPersonsRequest()
            request.limit = 1
            let first = try await admin.call(CommunityMethods.listKeyPersons, request)
            #expect(first.keyPersons.map(\.residentID) == ["r-1"])
            #expect(first.nextAfter == "r-1")
            request.after = first.nextAfter
            let second = try await admin.call(CommunityMethods.listKeyPersons, request)
            #expect(second.keyPersons.map(\.residentID) == ["r-3"])
            #expect(second.nextAfter.isEmpty)
            request.limit = 1_001
            #expect(await code(of: try await admin.call(CommunityMethods.listKeyPersons, request)) == .invalidArgument)
        }
    }

    @Test("the members of the grid groups: each caller sees those in its scope, phones masked unless its role phones people; \"me\" is the calling member")
    func members() async throws {
        try await CommunityFixture.with { street in
            try await street.database.putMembers([
                Member(id: "m-4", name: "陈刚", roles: [.residentBackbone], communityID: "qinghe", gridIDs: ["qinghe-g01"], phone: "13812345678"),
            ])
            let volunteer = try await street.connect(.member, "m-1")
            let staff = try await street.connect(.member, "m-2")
            let admin = try await street.connect(.administrator, "admin")
            defer { volunteer.close(); staff.close(); admin.close() }
            func list(_ connection: RPCConnection, community: String = "", grid: String = "") async throws -> [CommunityMember] {
                var request = CommunityListMembersRequest()
                request.communityID = community
                request.gridID = grid
                return try await connection.call(CommunityMethods.listMembers, request).members
            }
            func get(_ connection: RPCConnection, _ id: String) async throws -> CommunityMember {
                var request = CommunityGetMemberRequest()
                request.id = id
                return try await connection.call(CommunityMethods.getMember, request)
            }
            // A volunteer of qinghe-g01 sees that grid's members; a phone, masked.
            let seen = try await list(volunteer)
            #expect(seen.map(\.id) == ["m-1", "m-2", "m-4"])
            #expect(seen.last?.phone == "138****5678")
            #expect(seen.last?.roles == ["resident-backbone"])
            #expect(seen.last?.gridIds == ["qinghe-g01"])
            // Staff see their community's, phones whole.
            #expect(try await list(staff).last?.phone == "13812345678")
            #expect(try await list(staff, grid: "qinghe-g02").map(\.id) == ["m-2"])
            // The street office sees every member; narrowed to a community.
            #expect(try await list(admin).map(\.id) == ["m-1", "m-2", "m-3", "m-4"])
            #expect(try await list(admin, community: "qingyi").map(\.id) == ["m-3"])

            // "me", or no id: the calling member.
            #expect(try await get(volunteer, "me").name == "王芳")
            #expect(try await get(volunteer, "").id == "m-1")
            #expect(try await get(volunteer, "m-4").phone == "138****5678")
            // Outside the caller's scope, or unknown: not found alike; an administrator has no "me".
            #expect(await code(of: try await get(volunteer, "m-3")) == .notFound)
            #expect(await code(of: try await get(volunteer, "m-99")) == .notFound)
            #expect(await code(of: try await get(admin, "me")) == .notFound)
            #expect(try await get(admin, "m-3").communityID == "qingyi")
        }
    }

    @Test("an administrator imports a new community, its grid and its members; a bad file changes nothing; members may not import; households then go into the new grid")
    func importOrganisation() async throws {
        try await CommunityFixture.with { street in
            let admin = try await street.connect(.administrator, "admin")
            let staff = try await street.connect(.member, "m-2")
            defer { admin.close(); staff.close() }
            var request = CommunityImportOrganisationRequest()
            request.unitsCsv = Data("level,id,name,parent_id\n社区,qingyuan,青苑社区,gongrencun\n网格,qingyuan-g01,青苑第1网格,qingyuan\n".utf8)
            request.membersCsv = Data("member_id,name,roles,community_id,grid_ids,phone\nm-20,周洁,党员;志愿者,qingyuan,qingyuan-g01,13900001111\n".utf8)

            // Staff may not; a dry run checks and writes nothing.
            #expect(await code(of: try await staff.call(CommunityMethods.importOrganisation, request)) == .permissionDenied)
            request.dryRun = true
            let dry = try await admin.call(CommunityMethods.importOrganisation, request)
            #expect(dry.units == 2 && dry.members == 1 && dry.dryRun)
            #expect(try await street.database.member(id: "m-20") == nil)

            // A bad members row refuses both files: the units are not written either.
            var bad = request
            bad.dryRun = false
            bad.membersCsv = Data("member_id,name,roles,community_id,grid_ids,phone\nm-20,周洁,厨师,qingyuan,qingyuan-g01,\n".utf8)
            let refused = try await #require(throws: RPCError.self) { try await admin.call(CommunityMethods.importOrganisation, bad) }
            #expect(refused.code == .invalidArgument)
            #expect(refused.message.contains("members roles") && refused.message.contains("line 2"))
            #expect(refused.message.components(separatedBy: "nothing was imported").count == 2)
            #expect(try await street.database.units(in: .district("qingshan")).contains { $0.id == "qingyuan" } == false)

            request.dryRun = false
            let imported = try await admin.call(CommunityMethods.importOrganisation, request)
            #expect(imported.units == 2 && imported.members == 1 && !imported.dryRun)
            var listed = CommunityListMembersRequest()
            listed.communityID = "qingyuan"
            let members = try await admin.call(CommunityMethods.listMembers, listed).members
            #expect(members.map(\.id) == ["m-20"])
            #expect(members.first?.roles == ["party-member", "volunteer"])
            #expect(members.first?.gridIds == ["qingyuan-g01"])

            // The new grid takes households.
            var roster = CommunityImportHouseholdsRequest()
            roster.csv = Data(("household_id,address,grid_id,resident_id,name,birth_year,tags,phone,emergency_contact_name,emergency_contact_phone,emergency_contact_relation,availability\n"
                + "h-30,青苑 1栋101,qingyuan-g01,r-30,孙兰,1940,独居,,,,,\n").utf8)
            try await admin.stream(CommunityMethods.importHouseholds, roster) { stream in for try await _ in stream {} }
            var get = CommunityGetResidentRequest()
            get.id = "r-30"
            #expect(try await admin.call(CommunityMethods.getResident, get).gridID == "qingyuan-g01")
        }
    }

    @Test("bad visits get a clear error and store nothing")
    func badVisits() async throws {
        try await CommunityFixture.with { street in
            let app = try await street.connect(.member, "m-1")
            defer { app.close() }
            var noID = CommunityFixture.visit("", resident: "r-1")
            noID.visit.id = ""
            #expect(await code(of: try await app.call(CommunityMethods.recordVisit, noID)) == .invalidArgument)
            var noChannel = CommunityFixture.visit("v-x", resident: "r-1")
            noChannel.visit.channel = .unspecified
            #expect(await code(of: try await app.call(CommunityMethods.recordVisit, noChannel)) == .invalidArgument)
            // r-3 lives in 青宜居: outside m-1's grid, as if it did not exist.
            #expect(await code(of: try await app.call(CommunityMethods.recordVisit, CommunityFixture.visit("v-y", resident: "r-3"))) == .notFound)
            #expect(await code(of: try await app.call(CommunityMethods.recordVisit, CommunityFixture.visit("v-z", resident: "r-404"))) == .notFound)
            let stored = try await street.database.visits(caller: CommunityFixture.administrator)
            #expect(stored.isEmpty)
        }
    }

    @Test("a need's lifecycle over the RPC, and impossible steps refused without change")
    func needLifecycle() async throws {
        try await CommunityFixture.with { street in
            let staff = try await street.connect(.member, "m-2")
            defer { staff.close() }
            var raise = CommunityRaiseNeedRequest()
            raise.residentID = "r-2"
            raise.category = "repair"
            raise.urgency = .high
            raise.summary = "楼道灯坏了"
            let need = try await staff.call(CommunityMethods.raiseNeed, raise)
            #expect(need.status == .open)
            #expect(need.raisedBy == "member:m-2")
            #expect(need.dueAt.date.timeIntervalSince(need.raisedAt.date) == 24 * 3_600)

            func step(_ step: CommunityUpdateNeedRequest.Step, owner: String = "", note: String = "", satisfaction: UInt32 = 0) async throws -> CommunityNeed {
                var request = CommunityUpdateNeedRequest()
                request.id = need.id
                request.step = step
                request.owner = owner
                request.note = note
                request.satisfaction = satisfaction
                return try await staff.call(CommunityMethods.updateNeed, request)
            }
            #expect(await code(of: try await step(.resolve)) == .failedPrecondition)
            #expect(await code(of: try await step(.decline)) == .invalidArgument)
            #expect(await code(of: try await step(.assign, owner: "nobody")) == .invalidArgument)
            #expect(try await step(.assign, owner: "member:m-2").status == .assigned)
            #expect(try await step(.start).status == .inProgress)
            #expect(try await step(.resolve, note: "已更换").status == .resolved)
            #expect(await code(of: try await step(.followUp, satisfaction: 9)) == .invalidArgument)
            let done = try await step(.followUp, satisfaction: 5)
            #expect(done.status == .followedUp)
            #expect(done.satisfaction == 5)
            #expect(done.history.map(\.to) == [.open, .assigned, .inProgress, .resolved, .followedUp])
            #expect(await code(of: try await step(.reopen, note: "again")) == .failedPrecondition)
            var get = CommunityGetNeedRequest()
            get.id = need.id
            #expect(try await staff.call(CommunityMethods.getNeed, get).history.count == 5)
            get.id = "no-such-need"
            #expect(await code(of: try await staff.call(CommunityMethods.getNeed, get)) == .notFound)

            // Overdue: a day and a minute later, the open high-urgency need is overdue.
            raise.summary = "下水道堵了"
            _ = try await staff.call(CommunityMethods.raiseNeed, raise)
            street.clock.advance(24 * 3_600 + 60)
            var overdue = CommunityListNeedsRequest()
            overdue.overdueOnly = true
            let late = try await staff.call(CommunityMethods.listNeeds, overdue)
            #expect(late.needs.map(\.summary) == ["下水道堵了"])
            #expect(late.needs.allSatisfy { $0.overdue })
        }
    }

    @Test("every call runs within the caller's scope")
    func scope() async throws {
        try await CommunityFixture.with { street in
            for (resident, category) in [("r-1", "meals"), ("r-2", "repair"), ("r-3", "tutoring")] {
                let need = try NeedLifecycle().raise(
                    id: "n-\(resident)", resident: CommunityFixture.residents.first { $0.id == resident }!, category: category,
                    urgency: .normal, summary: category, owner: nil, by: .host, visitID: nil, at: CommunityFixture.morning
                )
                try await street.database.raiseNeed(need)
            }
            let volunteer = try await street.connect(.member, "m-1")  // grid qinghe-g01
            let staff = try await street.connect(.member, "m-2")      // community qinghe
            let admin = try await street.connect(.administrator, "admin")
            defer { for connection in [volunteer, staff, admin] { connection.close() } }
            #expect(try await volunteer.call(CommunityMethods.listNeeds, .init()).needs.map(\.residentID) == ["r-1"])
            #expect(try await staff.call(CommunityMethods.listNeeds, .init()).needs.map(\.residentID).sorted() == ["r-1", "r-2"])
            #expect(try await admin.call(CommunityMethods.listNeeds, .init()).needs.count == 3)
            var get = CommunityGetResidentRequest()
            get.id = "r-2"
            #expect(await code(of: try await volunteer.call(CommunityMethods.getResident, get)) == .notFound)
            #expect(try await staff.call(CommunityMethods.getResident, get).name == "刘建国")

            // A member certificate for someone not on the roster gets nothing.
            let stranger = try await street.connect(.member, "m-404")
            defer { stranger.close() }
            #expect(await code(of: try await stranger.call(CommunityMethods.listNeeds, .init())) == .permissionDenied)
        }
    }

    @Test("phone numbers are shown whole to the roles that phone residents, masked to the others")
    func maskedContacts() async throws {
        try await CommunityFixture.with { street in
            var get = CommunityGetResidentRequest()
            get.id = "r-1"
            for (kind, id, phone) in [(KnockIdentity.Kind.member, "m-1", "138****0000"), (.member, "m-2", "13800000000"), (.administrator, "admin", "13800000000")] {
                let connection = try await street.connect(kind, id)
                defer { connection.close() }
                let resident = try await connection.call(CommunityMethods.getResident, get)
                #expect(resident.phone == phone, "\(id) saw \(resident.phone)")
                #expect(resident.name == "张秀英")
            }
        }
    }

    @Test("every read of a resident's personal data is in the audit log, which only administrators read")
    func audit() async throws {
        try await CommunityFixture.with { street in
            let staff = try await street.connect(.member, "m-2")
            let admin = try await street.connect(.administrator, "admin")
            defer { for connection in [staff, admin] { connection.close() } }
            var get = CommunityGetResidentRequest()
            get.id = "r-2"
            _ = try await staff.call(CommunityMethods.getResident, get)
            var request = CommunityListAuditRequest()
            request.residentID = "r-2"
            let log = try await admin.call(CommunityMethods.listAudit, request)
            let read = try #require(log.entries.first)
            #expect(read.by == "member:m-2")
            #expect(read.action == "residents.get")
            #expect(read.residentIds == ["r-2"])
            // Nobody else's reads of r-2, and the member cannot read the log.
            #expect(log.entries.count == 1)
            #expect(await code(of: try await staff.call(CommunityMethods.listAudit, request)) == .permissionDenied)
        }
    }

    @Test("the day's plan: key persons due and the methods' knocks, merged per member")
    func plan() async throws {
        let policy = HostModuleService.Policy(configuration: { id in
            id == "pairing" ? ["residents": "r-1,r-2", "why": "结对探访", "priority": "60"] : [:]
        })
        try await CommunityFixture.with(builtIns: [ListPlanner(id: "pairing")], policy: policy) { street in
            let staff = try await street.connect(.member, "m-2")
            defer { staff.close() }
            var request = CommunityGetPlanRequest()
            request.date = "2026-11-29"
            let plan = try await staff.call(CommunityMethods.getPlan, request)
            #expect(plan.problems.isEmpty)
            let knocks = plan.plans.flatMap(\.knocks)
            #expect(knocks.map(\.residentID).sorted() == ["r-1", "r-2"])
            let elder = try #require(knocks.first { $0.residentID == "r-1" })
            // One knock serves both reasons; the key person's daily cadence sets the priority.
            #expect(elder.reasons.map(\.suggestedBy).sorted() == ["host", "module:pairing"])
            #expect(elder.priority == 80)
            #expect(elder.address == "青和居 1栋1单元101")
            #expect(elder.residentName == "张秀英")
            // r-1 lives in g01 (m-1's own grid), r-2 in g02 (m-2's own grid).
            #expect(plan.plans.first { $0.memberID == "m-1" }?.knocks.map(\.residentID) == ["r-1"])
            #expect(plan.plans.first { $0.memberID == "m-2" }?.knocks.map(\.residentID) == ["r-2"])

            request.memberID = "me"
            let mine = try await staff.call(CommunityMethods.getPlan, request)
            #expect(mine.plans.map(\.memberID) == ["m-2"])
            request.date = "29/11/2026"
            #expect(await code(of: try await staff.call(CommunityMethods.getPlan, request)) == .invalidArgument)
        }
    }

    @Test("every member role, integrator, department and module against every community method: allowed or PERMISSION_DENIED as its grant says")
    func rolesAgainstMethods() async throws {
        let grants = [
            try AccessGrant(identity: "knock://integrator/hospital-a", role: "integrator", scope: "community:qinghe"),
            try AccessGrant(identity: "knock://department/minzheng", role: "department", scope: "street:gongrencun"),
        ]
        try await CommunityFixture.with(builtIns: [Reader()], grants: grants) { street in
            try await street.database.putMembers([
                Member(id: "m-4", name: "孙科长", roles: [.departmentOfficer], communityID: "qinghe", gridIDs: ["qinghe-g01"]),
                Member(id: "m-5", name: "周大姐", roles: [.residentBackbone], communityID: "qinghe", gridIDs: ["qinghe-g01"]),
                Member(id: "m-6", name: "吴干部", roles: [.sunkDownCadre], communityID: "qinghe", gridIDs: ["qinghe-g02"]),
            ])
            // Each method with a request that is harmless whatever it does.
            typealias Probe = @Sendable (RPCConnection) async throws -> StatusCode
            let probes: [(String, Probe)] = [
                ("visits.write", { await code(of: try await $0.call(CommunityMethods.recordVisit, CommunityFixture.visit("v-role", resident: "r-404"))) }),
                ("plans.read", { await code(of: try await $0.call(CommunityMethods.getPlan, .init())) }),
                ("needs.read", { await code(of: try await $0.call(CommunityMethods.listNeeds, .init())) }),
                ("needs.write", { await code(of: try await $0.call(CommunityMethods.updateNeed, .init())) }),
                ("keypersons.read", { await code(of: try await $0.call(CommunityMethods.listKeyPersons, .init())) }),
                ("alerts.read", { await code(of: try await $0.call(CommunityMethods.listAlerts, .init())) }),
                ("alerts.write", { await code(of: try await $0.call(CommunityMethods.acknowledgeAlert, .init())) }),
                ("coverage.read", { await code(of: try await $0.call(CommunityMethods.getCoverage, .init())) }),
                ("residents.read", { await code(of: try await $0.call(CommunityMethods.getResident, .init())) }),
                ("residents.write", { connection in
                    var request = CommunityImportHouseholdsRequest()
                    request.dryRun = true
                    return await code(of: try await connection.stream(CommunityMethods.importHouseholds, request) { stream in
                        for try await _ in stream {}
                    })
                }),
                ("lists.export", { await code(of: try await $0.call(CommunityMethods.exportNeeds, .init())) }),
                ("audit.read", { await code(of: try await $0.call(CommunityMethods.listAudit, .init())) }),
                ("schedule.run", { await code(of: try await $0.call(CommunityMethods.tick, .init())) }),
            ]
            let grid: Set<String> = ["visits.write", "plans.read", "needs.read", "needs.write", "keypersons.read", "alerts.read",
                                     "alerts.write", "coverage.read", "residents.read"]
            let allowed: [(KnockIdentity.Kind, String, Set<String>)] = [
                (.member, "m-1", grid),                                               // volunteer
                (.member, "m-2", grid.union(["residents.write", "lists.export"])),   // staff
                (.member, "m-3", grid),                                               // party member
                (.member, "m-4", ["needs.read", "needs.write", "residents.read"]),    // department officer
                (.member, "m-5", grid),                                               // resident backbone
                (.member, "m-6", grid),                                               // sunk-down cadre
                (.integrator, "hospital-a", Set(AccessGrant.integratorPermissions)),
                (.department, "minzheng", Set(AccessGrant.departmentPermissions)),
                (.integrator, "not-recorded", []),
                (.module, "reader", Set(Reader().descriptor.permissions)),
            ]
            for (kind, member, permissions) in allowed {
                let connection = try await street.connect(kind, member)
                defer { connection.close() }
                for (permission, probe) in probes {
                    let status = try await probe(connection)
                    if permissions.contains(permission) {
                        #expect(status != .permissionDenied, "\(member) was refused \(permission)")
                    } else {
                        #expect(status == .permissionDenied, "\(member) got \(status.name) for \(permission)")
                    }
                }
            }
            // The administrator may do all of it.
            let admin = try await street.connect(.administrator, "admin")
            defer { admin.close() }
            for (permission, probe) in probes {
                #expect(try await probe(admin) != .permissionDenied, "the administrator was refused \(permission)")
            }
        }
    }

    @Test("a module reaches the community services only with the permission its descriptor asks for")
    func modulePermissions() async throws {
        try await CommunityFixture.with { street in
            let module = try await street.connect(.module, "canteen")
            defer { module.close() }
            let denied = try await #require(throws: RPCError.self) { try await module.call(CommunityMethods.listNeeds, .init()) }
            #expect(denied.code == .permissionDenied)
        }
    }

    /// A method that asks to read residents, key persons and needs and to record visits.
    struct Reader: KnockModule {
        var descriptor: ModuleDescriptor {
            ModuleDescriptor(id: "reader", nameZh: "读者", nameEn: "Reader", summary: "Reads what it is allowed to.",
                             permissions: ["residents.read", "keypersons.read", "needs.read", "needs.write", "visits.write"])
        }
    }

    @Test("a module enabled for 青宜居 cannot read or touch 青和居's records, through any method")
    func moduleScope() async throws {
        let policy = HostModuleService.Policy(communities: { $0 == "reader" ? ["qingyi"] : [] })
        try await CommunityFixture.with(builtIns: [Reader()], policy: policy) { street in
            let module = try await street.connect(.module, "reader")
            defer { module.close() }
            // 青宜居's child is visible; 青和居's elder is not there at all.
            var own = CommunityGetResidentRequest()
            own.id = "r-3"
            #expect(try await module.call(CommunityMethods.getResident, own).name == "陈小明")
            var other = CommunityGetResidentRequest()
            other.id = "r-1"
            #expect(try await #require(throws: RPCError.self) { try await module.call(CommunityMethods.getResident, other) }.code == .notFound)
            // Nor on the key-persons list (r-1 is a daily key person of 青和居).
            let listed = try await module.call(CommunityMethods.listKeyPersons, CommunityListKeyPersonsRequest())
            #expect(!listed.keyPersons.map(\.residentID).contains("r-1"))
            // It can neither record a visit to nor raise a need for r-1; for r-3 it can.
            var toElder = CommunityFixture.visit("v-reader-1", resident: "r-1")
            toElder.visit.memberID = "m-1"
            let visit = try await #require(throws: RPCError.self) { try await module.call(CommunityMethods.recordVisit, toElder) }
            #expect(visit.code == .notFound, "\(visit.message)")
            var need = CommunityRaiseNeedRequest()
            need.residentID = "r-1"
            need.category = "meals"
            need.summary = "送餐"
            need.urgency = .normal
            #expect(try await #require(throws: RPCError.self) { try await module.call(CommunityMethods.raiseNeed, need) }.code == .notFound)
            need.residentID = "r-3"
            _ = try await module.call(CommunityMethods.raiseNeed, need)
            // Its list of needs holds 青宜居's only, though the administrator raises one in 青和居.
            let admin = try await street.connect(.administrator, "admin")
            defer { admin.close() }
            need.residentID = "r-1"
            _ = try await admin.call(CommunityMethods.raiseNeed, need)
            #expect(try await module.call(CommunityMethods.listNeeds, CommunityListNeedsRequest()).needs.map(\.residentID) == ["r-3"])
            #expect(try await admin.call(CommunityMethods.listNeeds, CommunityListNeedsRequest()).needs.count == 2)
        }
    }

    @Test("integrators and departments reach only the scope and permissions recorded for them at issue-cert")
    func grantedScope() async throws {
        let grants = [
            try AccessGrant(identity: "knock://integrator/hospital-a", role: "integrator", scope: "community:qinghe"),
            try AccessGrant(identity: "knock://department/minzheng", role: "department", scope: "street:gongrencun"),
        ]
        try await CommunityFixture.with(grants: grants) { street in
            var need = CommunityRaiseNeedRequest()
            need.residentID = "r-1"
            need.category = "medicine"
            need.urgency = .high
            need.summary = "出院带药"
            let hospital = try await street.connect(.integrator, "hospital-a")
            defer { hospital.close() }
            // In 青和居: raised, with the integrator as its source.
            let raised = try await hospital.call(CommunityMethods.raiseNeed, need)
            #expect(raised.raisedBy == "integrator:hospital-a")
            var get = CommunityGetResidentRequest()
            get.id = "r-1"
            let elder = try await hospital.call(CommunityMethods.getResident, get)
            #expect(elder.phone != "13800000000", "an integrator sees phone numbers masked")
            // 青宜居 is outside its scope: unknown, whatever the method.
            need.residentID = "r-3"
            #expect(try await #require(throws: RPCError.self) { try await hospital.call(CommunityMethods.raiseNeed, need) }.code == .notFound)
            get.id = "r-3"
            #expect(try await #require(throws: RPCError.self) { try await hospital.call(CommunityMethods.getResident, get) }.code == .notFound)
            // Not granted: exports, key persons, visits.
            #expect(try await #require(throws: RPCError.self) { try await hospital.call(CommunityMethods.exportNeeds, .init()) }.code == .permissionDenied)
            #expect(try await #require(throws: RPCError.self) { try await hospital.call(CommunityMethods.listKeyPersons, .init()) }.code == .permissionDenied)

            // The department sees the whole street's needs, may work them, may not raise alerts.
            let department = try await street.connect(.department, "minzheng")
            defer { department.close() }
            #expect(try await department.call(CommunityMethods.raiseNeed, need).raisedBy == "department:minzheng")
            #expect(try await department.call(CommunityMethods.listNeeds, .init()).needs.count == 2)
            var alert = CommunityRaiseAlertRequest()
            alert.residentID = "r-1"
            alert.message = "x"
            #expect(try await #require(throws: RPCError.self) { try await department.call(CommunityMethods.raiseAlert, alert) }.code == .permissionDenied)

            // An integrator with a certificate from this CA but no grant gets nothing.
            let stray = try await street.connect(.integrator, "not-recorded")
            defer { stray.close() }
            let refused = try await #require(throws: RPCError.self) { try await stray.call(CommunityMethods.listNeeds, .init()) }
            #expect(refused.code == .permissionDenied)
            #expect(refused.message.contains("issue-cert"))
        }
    }

    @Test("a grant is checked when it is made: role, scope and permissions")
    func grantValidation() throws {
        #expect(throws: DomainError.self) { try AccessGrant(identity: "knock://member/m-1", role: "member", scope: "community:qinghe") }
        #expect(throws: DomainError.self) { try AccessGrant(identity: "knock://integrator/x", role: "integrator", scope: "qinghe") }
        #expect(throws: DomainError.self) { try AccessGrant(identity: "knock://integrator/x", role: "integrator", scope: "community:qinghe", permissions: ["everything"]) }
        #expect(try AccessGrant(identity: "knock://department/x", role: "department", scope: "district:qingshan").permissions == AccessGrant.departmentPermissions)
    }

    @Test("a roster imports all or nothing, with every bad row named")
    func rosterImport() async throws {
        try await CommunityFixture.with { street in
            let admin = try await street.connect(.administrator, "admin")
            defer { admin.close() }
            let header = "household_id,address,grid_id,resident_id,name,birth_year,tags,phone,emergency_contact_name,emergency_contact_phone,emergency_contact_relation,availability\n"
            let good = header + "h-10,青和居 7栋1单元501,qinghe-g02,r-10,周桂兰,1941,独居;高龄,13900000001,周明,13900000002,儿子,weekday 18:00-21:00\n"
                + "h-10,青和居 7栋1单元501,qinghe-g02,r-11,周志强,1968,unemployed,13900000003,,,,\n"
            var request = CommunityImportHouseholdsRequest()
            request.csv = Data(good.utf8)
            var events: [CommunityImportHouseholdsEvent] = []
            try await admin.stream(CommunityMethods.importHouseholds, request) { stream in
                for try await event in stream { events.append(event) }
            }
            #expect(events.contains { if case .progress = $0.kind { true } else { false } })
            guard case .summary(let summary) = events.last?.kind else {
                Issue.record("no summary")
                return
            }
            #expect(summary.householdsInserted == 1)
            #expect(summary.residentsInserted == 2)
            var get = CommunityGetResidentRequest()
            get.id = "r-10"
            #expect(try await admin.call(CommunityMethods.getResident, get).name == "周桂兰")

            let bad = header + "h-11,青和居 8栋,qinghe-g02,r-12,吴芳,1950,,,,,,\n"
                + "h-12,青和居 9栋,qinghe-g09,r-13,郑军,19x0,外星人,,,,,\n"
            request.csv = Data(bad.utf8)
            let error = try await #require(throws: RPCError.self) {
                try await admin.stream(CommunityMethods.importHouseholds, request) { stream in
                    for try await _ in stream {}
                }
            }
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("line 3"))
            #expect(error.message.contains("qinghe-g09"))
            var missing = CommunityGetResidentRequest()
            missing.id = "r-12"
            let lookup = missing
            #expect(await code(of: try await admin.call(CommunityMethods.getResident, lookup)) == .notFound)
        }
    }

    @Test("the needs list and the key-persons list export as CSV")
    func exports() async throws {
        try await CommunityFixture.with(builtIns: [ElderCheck()]) { street in
            let admin = try await street.connect(.administrator, "admin")
            defer { admin.close() }
            _ = try await admin.call(CommunityMethods.recordVisit, {
                var visit = CommunityFixture.visit("v-1", resident: "r-1", requests: ["送餐"])
                visit.visit.memberID = "m-1"
                return visit
            }())
            let needs = try await admin.call(CommunityMethods.exportNeeds, CommunityExportRequest())
            #expect(needs.rows == 1)
            let text = try #require(String(data: needs.csv, encoding: .utf8))
            #expect(text.contains("张秀英"))
            #expect(text.contains("meals"))
            let keyPersons = try await admin.call(CommunityMethods.exportKeyPersons, CommunityExportRequest())
            #expect(keyPersons.rows == 1)
            #expect(String(data: keyPersons.csv, encoding: .utf8)?.contains("独居高龄") == true)
        }
    }

    @Test("an export in parts: the first starts with the byte order mark and the header, the parts joined are the whole list; bad limits refused")
    func exportInParts() async throws {
        try await CommunityFixture.with(builtIns: [ElderCheck()]) { street in
            let admin = try await street.connect(.administrator, "admin")
            defer { admin.close() }
            for (resident, reason) in [("r-2", "空巢"), ("r-3", "留守儿童")] {
                try await street.database.flagKeyPerson(residentID: resident, reason: reason, cadenceDays: 7, caller: CommunityFixture.administrator, at: CommunityFixture.morning)
            }
            for method in [CommunityMethods.exportKeyPersons, CommunityMethods.exportNeeds] {
                var request = CommunityExportRequest()
                request.byteOrderMark = true
                let whole = try await admin.call(method, request)
                #expect(whole.nextAfter.isEmpty)
                request.limit = 1
                var joined = Data()
                var parts = 0
                repeat {
                    let part = try await admin.call(method, request)
                    #expect(part.rows <= 1)
                    #expect(part.csv.starts(with: [0xEF, 0xBB, 0xBF]) == (parts == 0))
                    joined += part.csv
                    parts += 1
                    request.after = part.nextAfter
                } while !request.after.isEmpty
                #expect(joined == whole.csv, "\(method.name)")
                #expect(parts >= Int(whole.rows))
                request.limit = 10_001
                request.after = ""
                #expect(await code(of: try await admin.call(method, request)) == .invalidArgument)
            }
            #expect(try await admin.call(CommunityMethods.exportKeyPersons, CommunityExportRequest()).rows == 3)
        }
        // The whole list in one answer that would not fit: refused with what to do instead.
        let tooLarge = try #require(throws: RPCError.self) {
            try CommunityService.exportResponse(Data(count: 2_000), rows: 20, nextAfter: nil, whole: true, maximumBytes: 1_000)
        }
        #expect(tooLarge.code == .resourceExhausted)
        #expect(tooLarge.message.contains("in parts"))
        #expect(try CommunityService.exportResponse(Data(count: 2_000), rows: 20, nextAfter: "r-9", whole: false, maximumBytes: 1_000).nextAfter == "r-9")
    }
}

/// The status code a call failed with, or `.ok`.
func code<Response>(of call: @autoclosure () async throws -> Response) async -> StatusCode {
    do {
        _ = try await call()
        return .ok
    } catch let error as RPCError {
        return error.code
    } catch {
        return .unknown
    }
}

/// Answers ABORTED to its first `conflicts` assessments, as a method does whose read-modify-write
/// met another change; then raises a need.
final class ConflictingModule: KnockModule {
    let id: String
    let conflicts: Int
    private let asked = Mutex(0)

    init(id: String, conflicts: Int) {
        self.id = id
        self.conflicts = conflicts
    }

    /// How many times it was asked to assess.
    var attempts: Int { asked.withLock { $0 } }

    var descriptor: ModuleDescriptor {
        ModuleDescriptor(id: id, nameZh: "冲突的方法", nameEn: "A conflicting method", summary: "answers ABORTED at first", assessesVisits: true)
    }

    func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] {
        let attempt = asked.withLock { count in
            count += 1
            return count
        }
        guard attempt > conflicts else {
            throw RPCError(code: .aborted, message: "the record changed meanwhile; try again")
        }
        return [.raisingNeed(residentID: request.resident.id, category: "meals", summary: "settled after \(attempt) tries")]
    }
}
