import Foundation
import KnockDomain
import KnockModuleKit
import SwiftProtobuf

extension Visit {
    /// The visit a client sent, checked field by field; `memberID` defaults to the caller's.
    /// Where it happened is left empty: the store places it at its resident's household, never
    /// where the client says.
    init(message: CommunityVisit, defaultMember: String) throws {
        let id = message.id.trimmed
        guard !id.isEmpty, id.count <= 128 else {
            throw RPCError.invalidField("visit.id", "must be 1 to 128 characters (the app's UUID for this visit)")
        }
        guard message.hasAt else { throw RPCError.invalidField("visit.at", "is required") }
        let member = message.memberID.isEmpty ? defaultMember : message.memberID
        guard !member.isEmpty else { throw RPCError.invalidField("visit.member_id", "is required (the caller is not a member)") }
        guard message.observations.utf8.count <= 16_384, message.opinions.utf8.count <= 16_384 else {
            throw RPCError.invalidField("visit.observations", "and opinions must be at most 16 KiB each")
        }
        guard message.requests.count <= 64, message.requests.allSatisfy({ $0.utf8.count <= 4_096 }) else {
            throw RPCError.invalidField("visit.requests", "must be at most 64 entries of at most 4 KiB")
        }
        self.init(
            id: id, memberID: member, residentID: message.residentID, householdID: "",
            gridID: "", communityID: "", streetID: "",
            at: message.at.date,
            channel: try Channel(message: message.channel, field: "visit.channel"),
            outcome: try Outcome(message: message.outcome, field: "visit.outcome"),
            observations: message.observations, opinions: message.opinions,
            requests: message.requests.map(\.trimmed).filter { !$0.isEmpty }
        )
    }

    var message: CommunityVisit {
        var message = CommunityVisit()
        message.id = id
        message.memberID = memberID
        message.residentID = residentID
        message.householdID = householdID
        message.gridID = gridID
        message.at = Google_Protobuf_Timestamp(date: at)
        message.channel = channel.message
        message.outcome = outcome.message
        message.observations = observations
        message.opinions = opinions
        message.requests = requests
        return message
    }
}

extension Resident {
    /// The resident as a caller sees it: phone numbers masked unless `revealContacts`.
    func message(keyPerson: KeyPerson?, revealContacts: Bool) -> CommunityResident {
        var message = CommunityResident()
        message.id = id
        message.householdID = householdID
        message.name = name
        message.birthYear = UInt32(max(0, birthYear))
        message.tags = ResidentTag.allCases.filter(tags.contains).map(\.message)
        message.gridID = gridID
        message.communityID = communityID
        if let keyPerson {
            message.keyPerson = true
            message.keyPersonReasons = keyPerson.reasons.map(\.reason)
        }
        func shown(_ number: String) -> String { revealContacts ? number : PhoneMask.masked(number) }
        message.phone = shown(phone)
        if let contact = emergencyContact {
            message.emergencyContact.name = contact.name
            message.emergencyContact.phone = shown(contact.phone)
            message.emergencyContact.relation = contact.relation
        }
        return message
    }
}
