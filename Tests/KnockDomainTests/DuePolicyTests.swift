import Foundation
import Testing
@testable import KnockDomain

@Suite struct DuePolicyTests {
    static let hours: [(Urgency, TimeInterval)] = [(.critical, 2), (.high, 24), (.normal, 72), (.low, 168)]

    @Test(arguments: hours)
    func defaultAllowances(_ urgency: Urgency, _ hours: TimeInterval) {
        let raised = Date(timeIntervalSince1970: 1_000_000)
        #expect(DuePolicy().dueTime(for: urgency, raisedAt: raised) == raised.addingTimeInterval(hours * 3_600))
    }

    @Test func aDeploymentsOwnPolicyFallsBackToThreeDays() {
        let raised = Date(timeIntervalSince1970: 0)
        let policy = DuePolicy(allowance: [.critical: 600])
        #expect(policy.dueTime(for: .critical, raisedAt: raised) == raised.addingTimeInterval(600))
        #expect(policy.dueTime(for: .low, raisedAt: raised) == raised.addingTimeInterval(3 * 86_400))
    }

    @Test func lifecycleUsesItsPolicy() throws {
        let resident = Resident(id: "r", householdID: "h", name: "李", gridID: "g", communityID: "c", streetID: "s")
        let raised = Date(timeIntervalSince1970: 0)
        let need = try NeedLifecycle(duePolicy: DuePolicy(allowance: [.low: 60])).raise(
            id: "n", resident: resident, category: "repair", urgency: .low, summary: "修灯", owner: nil,
            by: .host, visitID: nil, at: raised
        )
        #expect(need.dueAt == raised.addingTimeInterval(60))
    }
}
