import Foundation
import KnockModuleKit

/// What the people of a step are told when a case enters it: an alert (critical from the
/// secretary step on) and, for the steps a grid member carries out, a knock in today's plan.
extension UrgentKnockCase {
    /// The urgency of the alert of a step: high, critical for the secretary and entry steps.
    static func urgency(of kind: UrgentKnockStepKind) -> CommunityUrgency {
        kind == .secretary || kind == .entry ? .critical : .high
    }

    /// The alert text for entering the current step, naming the case, the resident, the step,
    /// its assignee and its time limit, after `cause` ("did not answer the door").
    func alertMessage(cause: String) -> String {
        guard let step = steps.last else { return "随时敲 case \(id): \(residentName) (\(residentID)): \(cause)" }
        var message = "随时敲 case \(id): \(residentName) (\(residentID)) \(cause); step \(step.kind.configurationName): \(step.kind.task), assigned to \(step.assignee)"
        if step.hasDueAt {
            let minutes = Int((step.dueAt.date.timeIntervalSince(step.startedAt.date) / 60).rounded())
            message += ", acknowledge within \(minutes) min"
        }
        return message
    }

    /// The suggestions for entering the current step: an alert, and for knock-again and phone a
    /// knock on `day` (door or phone) for the assignee, first thing.
    /// - Parameters:
    ///   - cause: Why the step started, for the alert.
    ///   - day: The day of the knock, YYYY-MM-DD.
    ///   - alertID: The alert's id, named with the case saved (``nameNextAlert()``).
    func notices(cause: String, day: String, alertID: String) -> [ModuleSuggestion] {
        guard let step = steps.last else { return [] }
        var alert = ModuleRaiseAlert()
        alert.id = alertID
        alert.residentID = residentID
        alert.urgency = Self.urgency(of: step.kind)
        alert.message = alertMessage(cause: cause)
        var raise = ModuleSuggestion()
        raise.raiseAlert = alert
        raise.reason = "随时敲: case \(id) entered step \(step.kind.configurationName)"
        var suggestions = [raise]
        if step.kind == .knockAgain || step.kind == .phone {
            var knock = CommunityPlannedKnock()
            knock.residentID = residentID
            knock.channel = step.kind == .phone ? .phone : .door
            knock.why = "随时敲: \(step.kind == .phone ? "phone" : "knock again") — case \(id), \(cause)"
            knock.priority = 100
            knock.date = day
            if step.assignee.hasPrefix("member:") { knock.memberID = String(step.assignee.dropFirst("member:".count)) }
            var schedule = ModuleSuggestion()
            schedule.scheduleKnock = knock
            schedule.reason = raise.reason
            suggestions.append(schedule)
        }
        return suggestions
    }

    /// Names the case's next step alert, `urgent-knock-<case>-alert-<n>`, and keeps it with the
    /// case: save the case before raising it.
    mutating func nameNextAlert() -> String {
        let alertID = "urgent-knock-\(id)-alert-\(alertIds.count + 1)"
        alertIds.append(alertID)
        return alertID
    }

    /// Names the alert of the case's `number`th emergency and keeps it with the case (once).
    mutating func nameEmergencyAlert(_ number: Int) -> String {
        let alertID = CaseAlerts.emergencyAlertID(id, emergency: number)
        if !alertIds.contains(alertID) { alertIds.append(alertID) }
        return alertID
    }
}
