import Foundation
import Testing
@testable import KnockDomain

@Suite struct KnockPlannerTests {
    static let day = CalendarDay(year: 2026, month: 11, day: 30)
    static let planner = KnockPlanner(
        gridGroups: ["g1": ["m-staff", "m-party"], "g2": ["m-g2"], "g3": []],
        keyPersonMembers: ["r-key": "m-party"]
    )

    static func knock(
        _ resident: String, grid: String = "g1", household: String? = nil, member: String? = nil,
        channel: Channel = .door, priority: Int = 50, why: String = "探访", by: Provenance = .module("daily-knock"),
        day: CalendarDay = day
    ) -> PlannedKnock {
        PlannedKnock(
            day: day, residentID: resident, householdID: household ?? "h-\(resident)", gridID: grid, communityID: "c",
            memberID: member, channel: channel, priority: priority, reasons: [.init(why: why, suggestedBy: by)]
        )
    }

    @Test func oneKnockPerResidentWithEveryReasonOnce() {
        let merged = Self.planner.merge([
            Self.knock("r1", channel: .online, priority: 20, why: "线上问候", by: .module("online-knock")),
            Self.knock("r1", channel: .phone, priority: 70, why: "出院第3天", by: .module("opportunity")),
            Self.knock("r1", priority: 70, why: "出院第3天", by: .module("opportunity")),
            Self.knock("r1", priority: 70, why: "出院第3天", by: .module("urgent-knock")),
            Self.knock("r1", channel: .online, priority: 90, why: "每日探访", by: .host),
        ], on: Self.day)
        #expect(merged.plans.count == 1)
        let knock = merged.plans[0].knocks[0]
        #expect(merged.knockCount == 1)
        #expect(knock.priority == 90)
        #expect(knock.channel == .door)
        #expect(knock.reasons == [
            .init(why: "每日探访", suggestedBy: .host),
            .init(why: "出院第3天", suggestedBy: .module("opportunity")),
            .init(why: "出院第3天", suggestedBy: .module("urgent-knock")),
            .init(why: "线上问候", suggestedBy: .module("online-knock")),
        ])
    }

    @Test(arguments: [
        ([Channel.online], Channel.online), ([.online, .phone], .phone), ([.phone, .door, .online], .door),
    ])
    func theMostPersonalChannelWins(_ asked: [Channel], _ expected: Channel) {
        let merged = Self.planner.merge(asked.map { Self.knock("r1", channel: $0) }, on: Self.day)
        #expect(merged.plans[0].knocks[0].channel == expected)
    }

    @Test func memberIsTheHighestPriorityNamedOneThenKeyPersonsThenTheGridsDefault() {
        let merged = Self.planner.merge([
            Self.knock("r-named", member: "m-low", priority: 10),
            Self.knock("r-named", member: "m-high", priority: 60),
            Self.knock("r-named", member: "", priority: 99),
            Self.knock("r-named", priority: 80),
            Self.knock("r-key", priority: 40),
            Self.knock("r-key", member: "", priority: 40),
            Self.knock("r-plain", grid: "g2"),
        ], on: Self.day)
        let members = Dictionary(uniqueKeysWithValues: merged.plans.flatMap { plan in plan.knocks.map { ($0.residentID, plan.memberID) } })
        #expect(members == ["r-named": "m-high", "r-key": "m-party", "r-plain": "m-g2"])
        #expect(merged.plans.map(\.memberID) == ["m-g2", "m-high", "m-party"])
        #expect(merged.plans.allSatisfy { plan in plan.knocks.allSatisfy { $0.memberID == plan.memberID && $0.day == Self.day } })
        #expect(merged.plans.first { $0.memberID == "m-high" }?.knocks[0].priority == 99)
    }

    @Test func knocksInGridsWithoutMembersAreUnassigned() {
        let merged = Self.planner.merge([
            Self.knock("r-empty", grid: "g3", priority: 10),
            Self.knock("r-unknown", grid: "nowhere", priority: 30),
            Self.knock("r-named", grid: "nowhere", member: "m-volunteer"),
            Self.knock("r-key", grid: "g3"),
        ], on: Self.day)
        #expect(merged.unassigned.map(\.residentID) == ["r-unknown", "r-empty"])
        #expect(merged.unassigned.allSatisfy { $0.memberID == nil })
        #expect(merged.plans.map(\.memberID) == ["m-party", "m-volunteer"])
    }

    @Test func otherDaysAreIgnoredAndCounted() {
        let merged = Self.planner.merge([
            Self.knock("r1", day: Self.day.adding(days: 1)),
            Self.knock("r1", priority: 5),
            Self.knock("r2", day: Self.day.adding(days: -1)),
        ], on: Self.day)
        #expect(merged.ignoredOtherDays == 2)
        #expect(merged.knockCount == 1)
        #expect(merged.plans[0].knocks[0].priority == 5)
    }

    @Test func plansAreOrderedByPriorityThenHouseholdThenResident() {
        let merged = Self.planner.merge([
            Self.knock("r3", household: "h-a", priority: 50),
            Self.knock("r2", household: "h-b", priority: 50),
            Self.knock("r1", household: "h-a", priority: 50),
            Self.knock("r9", household: "h-z", priority: 80),
            Self.knock("r0", household: "h-0", priority: 140),
            Self.knock("r8", household: "h-0", priority: -5),
        ], on: Self.day)
        #expect(merged.plans[0].knocks.map(\.residentID) == ["r0", "r9", "r1", "r3", "r2", "r8"])
        #expect(merged.plans[0].knocks.map(\.priority) == [100, 80, 50, 50, 50, 0])
    }

    @Test func theHighestPriorityContributionGivesThePlace() {
        let merged = Self.planner.merge([
            Self.knock("r1", grid: "g1", household: "h-old", priority: 10),
            Self.knock("r1", grid: "g2", household: "h-new", priority: 20),
        ], on: Self.day)
        #expect(merged.plans[0].memberID == "m-g2")
        #expect(merged.plans[0].knocks[0].householdID == "h-new")
    }

    @Test func nothingToMergeIsNothingPlanned() {
        #expect(Self.planner.merge([], on: Self.day) == MergedPlans(plans: [], unassigned: [], ignoredOtherDays: 0))
    }

    /// A street's worth: 20,000 contributions over 5,000 residents in 50 grids, three methods each
    /// and the key-persons list for some.
    @Test func mergesAStreetsContributions() {
        var groups: [String: [String]] = [:]
        for grid in 0..<50 { groups["g\(grid)"] = grid == 49 ? [] : ["m\(grid)-a", "m\(grid)-b"] }
        var keyMembers: [String: String] = [:]
        var contributions: [PlannedKnock] = []
        for resident in 0..<5_000 {
            let id = "r\(resident)", grid = "g\(resident % 50)"
            if resident % 7 == 0 { keyMembers[id] = "m\(resident % 50)-b" }
            for method in 0..<4 {
                contributions.append(Self.knock(
                    id, grid: grid, household: "h\(resident / 3)", channel: Channel.allCases[(resident + method) % 3],
                    priority: (resident * 7 + method * 13) % 101, why: "原因\(method % 3)", by: .module("m\(method % 3)"),
                    day: resident % 100 == 99 && method == 3 ? Self.day.adding(days: 1) : Self.day
                ))
            }
        }
        contributions.reverse()
        let merged = KnockPlanner(gridGroups: groups, keyPersonMembers: keyMembers).merge(contributions, on: Self.day)
        #expect(merged.ignoredOtherDays == 50)
        #expect(merged.knockCount == 5_000)
        // Grid 49 has no group: its key persons go to their assigned member, the rest are unassigned.
        #expect(merged.unassigned.count == 85)
        #expect(merged.unassigned.allSatisfy { $0.gridID == "g49" })
        #expect(merged.plans.count == 99)
        var members: [String: String] = [:]
        for plan in merged.plans {
            for knock in plan.knocks { members[knock.residentID] = plan.memberID }
            #expect(zip(plan.knocks, plan.knocks.dropFirst()).allSatisfy { !KnockPlannerTests.before($1, $0) })
        }
        let expected = (0..<5_000).filter { $0 % 50 != 49 || $0 % 7 == 0 }.map { resident in
            ("r\(resident)", "m\(resident % 50)-\(resident % 7 == 0 ? "b" : "a")")
        }
        let wrong = Dictionary(uniqueKeysWithValues: expected).filter { members[$0.key] != $0.value }
        #expect(members.count == expected.count)
        #expect(wrong.isEmpty, "\(wrong.count) residents with another member, e.g. \(wrong.first.map { "\($0)" } ?? "")")
        let r0 = merged.plans.first { $0.memberID == "m0-b" }!.knocks.first { $0.residentID == "r0" }!
        #expect(r0.reasons.map(\.why) == ["原因0", "原因2", "原因1"])
        #expect(r0.priority == 39)
        #expect(r0.channel == .door)
    }

    static func before(_ lhs: PlannedKnock, _ rhs: PlannedKnock) -> Bool {
        (-lhs.priority, lhs.householdID, lhs.residentID) < (-rhs.priority, rhs.householdID, rhs.residentID)
    }
}
