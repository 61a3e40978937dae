import Foundation
import KnockDomain
import KnockModuleKit
import KnockStore

extension CommunityService {
    func registerPlan(with router: inout RPCRouter) {
        let service = self
        router.register(CommunityMethods.getPlan) { request, context in
            try await service.serve(context) { caller in try await service.plan(request, caller: caller) }
        }
    }

    /// The day's plan for the caller's scope: the key persons due that day, the knocks methods
    /// scheduled for it, and what every enabled method contributes now, merged by
    /// ``KnockPlanner`` into one plan per member. The merged plan is saved, so coverage can
    /// compare planned with done knocks.
    func plan(_ request: CommunityGetPlanRequest, caller: Caller) async throws -> CommunityGetPlanResponse {
        let day = try day(request.date, field: "date")
        var memberFilter: String? = request.memberID.isEmpty ? nil : request.memberID
        if memberFilter == "me" {
            guard case .member(let id) = caller.provenance else { throw RPCError.invalidField("member_id", "\"me\" is for members") }
            memberFilter = id
        }

        let assembled = try await assemblePlan(day: day, caller: caller)
        let merged = assembled.merged
        let members = assembled.members
        let failures = assembled.failures

        let plans = merged.plans.filter { memberFilter == nil || $0.memberID == memberFilter }
        let unassigned = memberFilter == nil ? merged.unassigned : []
        let shown = plans.flatMap(\.knocks) + unassigned
        let residents = try await database.residents(ids: Array(Set(shown.map(\.residentID))), caller: caller)
            .reduce(into: [String: Resident]()) { $0[$1.id] = $1 }
        let addresses = try await database.households(ids: Array(Set(shown.map(\.householdID))), caller: caller.unaudited)
            .reduce(into: [String: String]()) { $0[$1.id] = $1.address }
        let names = members.reduce(into: [String: String]()) { $0[$1.id] = $1.name }

        func item(_ knock: PlannedKnock) -> CommunityPlanItem {
            var item = CommunityPlanItem()
            item.residentID = knock.residentID
            item.householdID = knock.householdID
            item.gridID = knock.gridID
            item.channel = knock.channel.message
            item.priority = UInt32(max(0, knock.priority))
            item.reasons = knock.reasons.map { reason in
                var entry = CommunityPlanReason()
                entry.why = reason.why
                entry.suggestedBy = reason.suggestedBy.text
                return entry
            }
            item.address = addresses[knock.householdID] ?? ""
            item.residentName = residents[knock.residentID]?.name ?? ""
            return item
        }
        var response = CommunityGetPlanResponse()
        response.date = day.description
        response.plans = plans.map { plan in
            var entry = CommunityMemberPlan()
            entry.memberID = plan.memberID
            entry.memberName = names[plan.memberID] ?? ""
            entry.knocks = plan.knocks.map(item)
            return entry
        }
        response.unassigned = unassigned.map(item)
        response.problems = failures.map(\.problem)
        return response
    }

    /// The day's plan for `caller`'s scope, merged and saved (what ``plan(_:caller:)`` answers
    /// with before names and addresses are added): the key persons due, the knocks scheduled
    /// for the day, and what every enabled method contributes.
    /// - Parameters:
    ///   - day: The day.
    ///   - caller: Whose scope.
    /// - Returns: The merged plans, the members of the scope, and the methods that did not
    ///   contribute.
    /// - Throws: ``StoreError`` if the store fails.
    public func assemblePlan(day: CalendarDay, caller: Caller) async throws -> AssembledPlan {
        let members = try await database.members(in: caller.scope)
        let keyPersons = try await database.keyPersons(caller: caller.unaudited, dueOn: day, timeZone: timeZone)
        var contributions = keyPersons.compactMap { $0.plannedKnock(on: day, timeZone: timeZone) }
        contributions += try await database.scheduledKnocks(day: day, scope: caller.scope)
        let (fromModules, failures) = try await moduleContributions(day: day, caller: caller)
        contributions += fromModules

        let planner = KnockPlanner(
            gridGroups: Self.gridGroups(members),
            keyPersonMembers: keyPersons.reduce(into: [:]) { map, entry in
                if let member = entry.assignedMemberID { map[entry.residentID] = member }
            }
        )
        let toMerge = contributions
        let merged = try await offTheEventLoop { planner.merge(toMerge, on: day) }
        try await database.savePlan(day: day, scope: caller.scope, knocks: merged.plans.flatMap(\.knocks) + merged.unassigned)
        return AssembledPlan(merged: merged, members: members, failures: failures)
    }

    /// What every enabled method contributes for `day`, asked once per community in scope (with
    /// the caller's grids when the scope is grids), placed at the residents' households. Knocks
    /// for residents outside the caller's scope are dropped.
    private func moduleContributions(day: CalendarDay, caller: Caller) async throws -> ([PlannedKnock], [ModuleFailure]) {
        let communities: [String]
        var grids: [String] = []
        switch caller.scope.level {
        case .grid:
            let units = try await database.units(in: caller.scope, level: .grid)
            communities = Array(Set(units.compactMap(\.parentID))).sorted()
            grids = units.map(\.id).sorted()
        default:
            communities = try await database.units(in: caller.scope, level: .community).map(\.id)
        }
        // Every community at once: each module answers each community within its own limit.
        let coordinator = self.coordinator
        let (knocks, failures) = await withTaskGroup(of: (knocks: [CommunityPlannedKnock], failures: [ModuleFailure]).self) { group in
            for community in communities {
                var request = ModulePlanRequest()
                request.date = day.description
                request.communityID = community
                request.gridIds = grids
                group.addTask { await coordinator.plan(request) }
            }
            var knocks: [CommunityPlannedKnock] = []
            var failures: [ModuleFailure] = []
            for await answer in group {
                knocks += answer.knocks
                failures += answer.failures
            }
            return (knocks, failures.sorted { $0.moduleID < $1.moduleID })
        }
        guard !knocks.isEmpty else { return ([], failures) }
        let homes = try await database.residentHomes(ids: Array(Set(knocks.map(\.residentID))), caller: caller.unaudited)
        let planned = knocks.compactMap { knock -> PlannedKnock? in
            guard let home = homes[knock.residentID] else { return nil }
            return try? PlannedKnock(message: knock, home: home, by: .module(knock.suggestedBy), defaultDay: day)
        }
        return (planned, failures)
    }

    /// Each grid's members: first those whose own grid it is (their first grid), then those
    /// who help there; within each, staff first, then party members, resident backbones,
    /// volunteers, sunk-down cadres and department officers, then by id. The first is the grid's
    /// default member, who gets the knocks nobody else is named for.
    static func gridGroups(_ members: [Member]) -> [String: [String]] {
        let ordered = members.sorted { ($0.rank, $0.id) < ($1.rank, $1.id) }
        var groups: [String: [String]] = [:]
        for member in ordered {
            if let own = member.gridIDs.first { groups[own, default: []].append(member.id) }
        }
        for member in ordered {
            for grid in member.gridIDs.dropFirst() { groups[grid, default: []].append(member.id) }
        }
        return groups
    }
}

extension Member {
    /// Where the member comes in a grid's group: staff first.
    fileprivate var rank: Int {
        let order: [MemberRole] = [.staff, .partyMember, .residentBackbone, .volunteer, .sunkDownCadre, .departmentOfficer]
        return order.firstIndex { roles.contains($0) } ?? order.count
    }
}
