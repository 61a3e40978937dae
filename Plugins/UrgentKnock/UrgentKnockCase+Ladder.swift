import Foundation
import KnockModuleKit
import SwiftProtobuf

/// A case climbing the ladder: the pure transitions, without a store. Each returns whether the
/// case moved into a new step, so the caller can tell the people of that step.
extension UrgentKnockCase {
    /// A new open case at `rung`.
    /// - Parameters:
    ///   - id: The case id.
    ///   - resident: The resident.
    ///   - origin: What opened it.
    ///   - openedBy: Who opened it (`member:m-1`, `integrator:hotline`).
    ///   - summary: What happened.
    ///   - rung: The first step.
    ///   - startedBy: Why the first step started.
    ///   - at: When.
    ///   - settings: The configuration (for assignees).
    static func open(
        id: String, resident: CommunityResident, origin: UrgentKnockOrigin, openedBy: String, summary: String,
        at rung: Ladder.Rung, startedBy: String, time at: Date, settings: UrgentKnockSettings
    ) -> UrgentKnockCase {
        var opened = UrgentKnockCase()
        opened.id = id
        opened.residentID = resident.id
        opened.residentName = resident.name
        opened.communityID = resident.communityID
        opened.gridID = resident.gridID
        opened.origin = origin
        opened.status = .open
        opened.openedBy = openedBy
        opened.openedAt = Google_Protobuf_Timestamp(date: at)
        opened.summary = summary
        opened.start(rung, by: startedBy, at: at, settings: settings)
        return opened
    }

    /// The current step of an open case.
    var current: UrgentKnockStep? {
        status == .open ? steps.last : nil
    }

    /// Starts `rung` as the current step.
    mutating func start(_ rung: Ladder.Rung, by: String, at: Date, settings: UrgentKnockSettings) {
        var step = UrgentKnockStep()
        step.kind = rung.kind
        step.startedAt = Google_Protobuf_Timestamp(date: at)
        step.startedBy = by
        step.assignee = assignee(of: rung.kind, settings: settings)
        if let minutes = rung.minutes {
            step.dueAt = Google_Protobuf_Timestamp(date: at.addingTimeInterval(TimeInterval(minutes * 60)))
        }
        steps.append(step)
    }

    /// Who a step is assigned to: the member who opened the case knocks again and phones; the
    /// community's secretary (or any staff member) takes the secretary and entry steps, and every
    /// step of a case an integrator or administrator opened.
    func assignee(of kind: UrgentKnockStepKind, settings: UrgentKnockSettings) -> String {
        let early: Set<UrgentKnockStepKind> = [.knockAgain, .phone, .emergencyContact]
        return early.contains(kind) && openedBy.hasPrefix("member:") ? openedBy : settings.secretary(of: communityID)
    }

    /// Ends the current step.
    mutating func endCurrent(_ result: UrgentKnockStepResult, by: String, at: Date) {
        guard !steps.isEmpty else { return }
        steps[steps.count - 1].result = result
        steps[steps.count - 1].endedAt = Google_Protobuf_Timestamp(date: at)
        steps[steps.count - 1].endedBy = by
    }

    /// Moves from the current step to the next one on the ladder. At the last step (entry) the
    /// case stays where it is.
    /// - Returns: The step started, or `nil` if there was none to move to.
    mutating func advance(ending result: UrgentKnockStepResult, by: String, startedBy: String, at: Date, settings: UrgentKnockSettings) -> Ladder.Rung? {
        guard let current, let next = settings.ladder.rung(after: current.kind) else { return nil }
        endCurrent(result, by: by, at: at)
        start(next, by: startedBy, at: at, settings: settings)
        return next
    }

    /// Closes the case.
    mutating func close(by: String, at: Date, resolution: String) {
        status = .closed
        closedAt = Google_Protobuf_Timestamp(date: at)
        closedBy = by
        self.resolution = resolution
    }

    /// The step due for escalation at `at`: the current one, if it has a time limit that has
    /// passed.
    func overdue(at: Date) -> UrgentKnockStep? {
        guard let current, current.hasDueAt, current.dueAt.date <= at else { return nil }
        return current
    }

    /// Whether `caller` may see the case: administrators see every case, members their
    /// community's, integrators the cases they opened or raised an emergency on.
    func isVisible(to caller: ModuleCaller) -> Bool {
        if caller.isAdministrator { return true }
        switch caller.kind {
        case "member": return caller.communityID == communityID
        case "integrator": return openedBy == caller.provenance || emergencies.contains { $0.raisedBy == caller.provenance }
        default: return false
        }
    }
}
