import Foundation
import Testing
@testable import KnockDomain

@Suite struct NeedLifecycleTests {
    static let raisedAt = Date(timeIntervalSince1970: 1_796_000_000)
    static let resident = Resident(
        id: "r-1", householdID: "h-1", name: "王秀英", birthYear: 1940, tags: [.elderly, .livingAlone],
        gridID: "qinghe-g01", communityID: "qinghe", streetID: "gongrencun"
    )
    static let steps: [NeedLifecycle.Step] = [
        .assign(.member("m-1")), .start, .resolve, .followUp(satisfaction: 4), .reopen, .decline,
    ]
    /// The allowed steps, by status: the lifecycle's whole table.
    static let allowed: [NeedStatus: Set<String>] = [
        .open: ["assign", "decline"],
        .assigned: ["assign", "start", "resolve", "decline"],
        .inProgress: ["assign", "resolve", "decline"],
        .resolved: ["follow up", "reopen"],
        .followedUp: [],
        .declined: [],
    ]

    static func need(_ status: NeedStatus, urgency: Urgency = .normal) -> Need {
        Need(
            id: "n-1", residentID: "r-1", householdID: "h-1", gridID: "qinghe-g01", communityID: "qinghe",
            streetID: "gongrencun", category: "meals", urgency: urgency, summary: "需要送餐", status: status,
            raisedBy: .member("m-1"), raisedAt: raisedAt, dueAt: raisedAt.addingTimeInterval(3 * 86_400)
        )
    }

    @Test(arguments: NeedStatus.allCases)
    func everyStepFromEveryStatus(_ status: NeedStatus) throws {
        let lifecycle = NeedLifecycle()
        let at = Self.raisedAt.addingTimeInterval(3_600)
        for step in Self.steps {
            let expected = Self.allowed[status]!.contains(step.name)
            #expect(lifecycle.allows(step, from: status) == expected, "\(step.name) from \(status)")
            if expected {
                let changed = try lifecycle.apply(step, to: Self.need(status), by: .member("m-2"), note: "原因", at: at)
                #expect(changed.status == step.target)
                #expect(changed.history.last == NeedEvent(
                    at: at, by: .member("m-2"), from: status, to: step.target, owner: changed.owner, note: "原因"
                ))
            } else {
                let error = #expect(throws: DomainError.self) {
                    try lifecycle.apply(step, to: Self.need(status), by: .member("m-2"), note: "原因", at: at)
                }
                #expect(error?.code == .invalidTransition)
                #expect(error?.message.contains(status.rawValue) == true)
            }
        }
    }

    @Test func finalStatusesSaySo() {
        let error = #expect(throws: DomainError.self) {
            try NeedLifecycle().apply(.start, to: Self.need(.followedUp), by: .host, at: Self.raisedAt)
        }
        #expect(error?.message.contains("none, it is final") == true)
    }

    @Test func aWholeLifeLeavesItsHistory() throws {
        let lifecycle = NeedLifecycle()
        var need = try lifecycle.raise(
            id: "n-1", resident: Self.resident, category: " meals ", urgency: .high, summary: " 需要送餐 ",
            owner: nil, by: .member("m-1"), visitID: "v-1", at: Self.raisedAt
        )
        #expect(need.category == "meals")
        #expect(need.summary == "需要送餐")
        #expect(need.status == .open)
        let times = (1...4).map { Self.raisedAt.addingTimeInterval(Double($0) * 60) }
        need = try lifecycle.apply(.assign(.module("canteen")), to: need, by: .member("m-1"), at: times[0])
        need = try lifecycle.apply(.start, to: need, by: .module("canteen"), at: times[1])
        need = try lifecycle.apply(.resolve, to: need, by: .module("canteen"), note: "已开通送餐", at: times[2])
        #expect(need.resolvedAt == times[2])
        need = try lifecycle.apply(.followUp(satisfaction: 5), to: need, by: .member("m-1"), at: times[3])
        #expect(need.satisfaction == 5)
        #expect(need.history.map(\.to) == [.open, .assigned, .inProgress, .resolved, .followedUp])
        #expect(need.history.map(\.from) == [nil, .open, .assigned, .inProgress, .resolved])
        #expect(need.history.map(\.owner) == [nil] + Array(repeating: .module("canteen"), count: 4))
        #expect(need.history[3].note == "已开通送餐")
        #expect(need.visitID == "v-1")
    }

    @Test(arguments: [NeedLifecycle.Step.decline, .reopen])
    func declineAndReopenNeedAReason(_ step: NeedLifecycle.Step) throws {
        let from: NeedStatus = step == .reopen ? .resolved : .open
        for note in ["", "  \n "] {
            let error = #expect(throws: DomainError.self) {
                try NeedLifecycle().apply(step, to: Self.need(from), by: .host, note: note, at: Self.raisedAt)
            }
            #expect(error?.code == .invalidArgument)
        }
        let changed = try NeedLifecycle().apply(step, to: Self.need(from), by: .host, note: " 理由 ", at: Self.raisedAt)
        #expect(changed.history.last?.note == "理由")
    }

    @Test(arguments: [-1, 0, 6, 100])
    func satisfactionOutsideOneToFiveIsRejected(_ satisfaction: Int) {
        let error = #expect(throws: DomainError.self) {
            try NeedLifecycle().apply(.followUp(satisfaction: satisfaction), to: Self.need(.resolved), by: .host, at: Self.raisedAt)
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test(arguments: 1...5)
    func satisfactionOneToFiveIsKept(_ satisfaction: Int) throws {
        let changed = try NeedLifecycle().apply(
            .followUp(satisfaction: satisfaction), to: Self.need(.resolved), by: .host, at: Self.raisedAt
        )
        #expect(changed.satisfaction == satisfaction)
    }

    @Test func reopenClearsOwnerAndResolutionAndRecomputesTheDueTime() throws {
        var resolved = Self.need(.resolved, urgency: .high)
        resolved.owner = .department("民政局")
        resolved.resolvedAt = Self.raisedAt.addingTimeInterval(600)
        let reopenedAt = Self.raisedAt.addingTimeInterval(10 * 86_400)
        let reopened = try NeedLifecycle().apply(.reopen, to: resolved, by: .module("follow-up"), note: "仍未解决", at: reopenedAt)
        #expect(reopened.status == .open)
        #expect(reopened.owner == nil)
        #expect(reopened.resolvedAt == nil)
        #expect(reopened.dueAt == reopenedAt.addingTimeInterval(24 * 3_600))
        #expect(reopened.raisedAt == Self.raisedAt)
    }

    @Test func reassignKeepsTheStatusAndChangesTheOwner() throws {
        var need = Self.need(.inProgress)
        need.owner = .member("m-1")
        let changed = try NeedLifecycle().apply(.assign(.member("m-9")), to: need, by: .host, at: Self.raisedAt)
        #expect(changed.status == .assigned)
        #expect(changed.owner == .member("m-9"))
    }

    @Test func raiseWithAnOwnerIsAssigned() throws {
        let need = try NeedLifecycle().raise(
            id: "n-2", resident: Self.resident, category: "medicine", urgency: .critical, summary: "缺药",
            owner: .member("m-3"), by: .integrator("hospital"), visitID: nil, at: Self.raisedAt
        )
        #expect(need.status == .assigned)
        #expect(need.owner == .member("m-3"))
        #expect(need.dueAt == Self.raisedAt.addingTimeInterval(2 * 3_600))
        #expect(need.history == [NeedEvent(at: Self.raisedAt, by: .integrator("hospital"), from: nil, to: .assigned, owner: .member("m-3"), note: "缺药")])
        #expect(need.gridID == "qinghe-g01")
        #expect(need.streetID == "gongrencun")
    }

    @Test(arguments: [("", "缺药"), ("medicine", " "), ("\n", "")])
    func raiseNeedsACategoryAndASummary(_ category: String, _ summary: String) {
        let error = #expect(throws: DomainError.self) {
            try NeedLifecycle().raise(
                id: "n-3", resident: Self.resident, category: category, urgency: .low, summary: summary,
                owner: nil, by: .host, visitID: nil, at: Self.raisedAt
            )
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test func overdueOnlyWhileActiveAndPastDue() {
        let lifecycle = NeedLifecycle()
        let due = Self.raisedAt.addingTimeInterval(3 * 86_400)
        for status in NeedStatus.allCases {
            let need = Self.need(status)
            #expect(lifecycle.isOverdue(need, at: due.addingTimeInterval(1)) == status.isActive)
            #expect(!lifecycle.isOverdue(need, at: due))
            #expect(!lifecycle.isOverdue(need, at: Self.raisedAt))
        }
    }
}
