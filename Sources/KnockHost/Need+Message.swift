import Foundation
import KnockDomain
import KnockModuleKit
import SwiftProtobuf

extension Need {
    /// The need as clients see it; `overdue` as of `now`.
    func message(now: Date) -> CommunityNeed {
        var message = CommunityNeed()
        message.id = id
        message.residentID = residentID
        message.householdID = householdID
        message.gridID = gridID
        message.communityID = communityID
        message.category = category
        message.urgency = urgency.message
        message.summary = summary
        message.status = status.message
        message.owner = owner?.text ?? ""
        message.raisedBy = raisedBy.text
        message.visitID = visitID ?? ""
        message.raisedAt = Google_Protobuf_Timestamp(date: raisedAt)
        message.dueAt = Google_Protobuf_Timestamp(date: dueAt)
        if let resolvedAt { message.resolvedAt = Google_Protobuf_Timestamp(date: resolvedAt) }
        message.satisfaction = UInt32(satisfaction ?? 0)
        message.overdue = status.isActive && dueAt < now
        message.history = history.map { event in
            var entry = CommunityNeedEvent()
            entry.at = Google_Protobuf_Timestamp(date: event.at)
            entry.by = event.by.text
            entry.from = event.from?.message ?? .unspecified
            entry.to = event.to.message
            entry.owner = event.owner?.text ?? ""
            entry.note = event.note
            return entry
        }
        return message
    }
}

extension KeyPerson {
    /// The entry as clients see it; `due` on `day`.
    func message(due: Bool, residentName: String) -> CommunityKeyPerson {
        var message = CommunityKeyPerson()
        message.residentID = residentID
        message.householdID = householdID
        message.gridID = gridID
        message.communityID = communityID
        message.reasons = reasons.map { reason in
            var entry = CommunityKeyPersonReason()
            entry.reason = reason.reason
            entry.flaggedBy = reason.flaggedBy.text
            entry.since = Google_Protobuf_Timestamp(date: reason.since)
            if let until = reason.until { entry.until = Google_Protobuf_Timestamp(date: until) }
            return entry
        }
        message.cadenceDays = UInt32(max(0, cadenceDays))
        message.assignedMemberID = assignedMemberID ?? ""
        if let lastKnockAt { message.lastKnockAt = Google_Protobuf_Timestamp(date: lastKnockAt) }
        message.due = due
        message.residentName = residentName
        return message
    }
}

extension Alert {
    /// The alert as clients see it (`message` is the alert's own text).
    var wireMessage: CommunityAlert {
        var message = CommunityAlert()
        message.id = id
        message.residentID = residentID
        message.gridID = gridID
        message.urgency = urgency.message
        message.message = self.message
        message.raisedBy = raisedBy.text
        message.raisedAt = Google_Protobuf_Timestamp(date: raisedAt)
        message.acknowledgedBy = acknowledgedBy?.text ?? ""
        if let acknowledgedAt { message.acknowledgedAt = Google_Protobuf_Timestamp(date: acknowledgedAt) }
        message.acknowledgement = acknowledgement
        return message
    }
}

extension GridCoverage {
    func message(gridName: String) -> CommunityGridCoverage {
        var message = CommunityGridCoverage()
        message.gridID = gridID
        message.gridName = gridName
        message.households = UInt32(households)
        message.householdsVisited = UInt32(householdsVisited)
        message.plannedKnocks = UInt32(plannedKnocks)
        message.doneDoor = UInt32(doneKnocks[.door] ?? 0)
        message.doneOnline = UInt32(doneKnocks[.online] ?? 0)
        message.donePhone = UInt32(doneKnocks[.phone] ?? 0)
        message.needsOpened = UInt32(needsOpened)
        message.needsResolved = UInt32(needsResolved)
        message.needsOverdue = UInt32(needsOverdue)
        message.meanHoursToResolve = meanHoursToResolve ?? -1
        message.meanSatisfaction = meanSatisfaction ?? 0
        return message
    }
}
