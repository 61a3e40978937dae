import Foundation
import KnockModuleKit
import SwiftProtobuf

/// A dispute case's lifecycle, without a store: open → mediating (a session held) → agreed →
/// held (a follow-up found the agreement holding); a broken agreement reopens the case. Each
/// change is checked against the status first and appends a line to the history; a change
/// that is not allowed throws and changes nothing.
extension MediationCase {
    /// The kinds a case may have.
    static let kinds: Set<MediationDisputeKind> = [.neighbour, .family, .property, .other]

    /// Whether parties, statements and sessions may still be added.
    var isUnderway: Bool { status == .open || status == .mediating }

    /// The status's name in messages.
    var statusName: String {
        switch status {
        case .open: "open"
        case .mediating: "mediating"
        case .agreed: "agreed"
        case .held: "held (closed)"
        default: "unknown"
        }
    }

    private func requireUnderway(_ what: String) throws {
        guard isUnderway else {
            throw RPCError(code: .failedPrecondition, message: "case \(id) is \(statusName): \(what) only while it is open or mediating")
        }
    }

    private func requireParties(_ ids: [String], field: String) throws {
        for partyID in ids where !parties.contains(where: { $0.id == partyID }) {
            throw RPCError(code: .invalidArgument, message: "\(field): case \(id) has no party \(partyID) (parties: \(parties.map(\.id).joined(separator: ", ")))")
        }
        guard Set(ids).count == ids.count else { throw RPCError(code: .invalidArgument, message: "\(field): a party is named twice") }
    }

    private mutating func note(_ what: String, by: String, at: Date) {
        var event = MediationCaseEvent()
        event.at = Google_Protobuf_Timestamp(date: at)
        event.by = by
        event.what = what
        history.append(event)
    }

    /// Adds a party (`p-N`).
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` once agreed; `ALREADY_EXISTS` for a name
    ///   already a party.
    mutating func addParty(name: String, role: String, residentID: String, by: String, at: Date) throws -> MediationParty {
        try requireUnderway("parties are added")
        guard !parties.contains(where: { $0.name == name }) else {
            throw RPCError(code: .alreadyExists, message: "\(name) is already a party to case \(id)")
        }
        var party = MediationParty()
        party.id = "p-\(parties.count + 1)"
        party.name = name
        party.role = role
        party.residentID = residentID
        parties.append(party)
        note("party \(party.id) added: \(name)\(role.isEmpty ? "" : " (\(role))")", by: by, at: at)
        return party
    }

    /// Records a party's statement (`s-N`).
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` once agreed; `INVALID_ARGUMENT` for an
    ///   unknown party.
    mutating func recordStatement(partyID: String, text: String, by: String, at: Date) throws {
        try requireUnderway("statements are recorded")
        try requireParties([partyID], field: "party_id")
        var statement = MediationStatement()
        statement.id = "s-\(statements.count + 1)"
        statement.partyID = partyID
        statement.text = text
        statement.recordedBy = by
        statement.recordedAt = Google_Protobuf_Timestamp(date: at)
        statements.append(statement)
        note("statement \(statement.id) of \(partyID) recorded", by: by, at: at)
    }

    /// Records a session (`session-N`); the case is mediating from then.
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` once agreed; `INVALID_ARGUMENT` for an
    ///   unknown party or none present.
    mutating func recordSession(heldAt: Date, place: String, partyIDs: [String], summary: String, by: String, at: Date) throws {
        try requireUnderway("sessions are recorded")
        guard !partyIDs.isEmpty else { throw RPCError(code: .invalidArgument, message: "party_ids: name the parties present") }
        try requireParties(partyIDs, field: "party_ids")
        var session = MediationSession()
        session.id = "session-\(sessions.count + 1)"
        session.heldAt = Google_Protobuf_Timestamp(date: heldAt)
        session.place = place
        session.partyIds = partyIDs
        session.summary = summary
        session.recordedBy = by
        session.recordedAt = Google_Protobuf_Timestamp(date: at)
        sessions.append(session)
        status = .mediating
        note("\(session.id) recorded", by: by, at: at)
    }

    /// Records the agreement reached; the case is agreed, to be followed up.
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` unless a session has been held (and no
    ///   agreement reached since); `INVALID_ARGUMENT` for an unknown party or none.
    mutating func recordAgreement(terms: String, partyIDs: [String], followUpOn: String, by: String, at: Date) throws {
        guard status == .mediating else {
            throw RPCError(code: .failedPrecondition, message: "case \(id) is \(statusName): an agreement is recorded after a mediation session, while mediating")
        }
        guard !partyIDs.isEmpty else { throw RPCError(code: .invalidArgument, message: "party_ids: name the parties who agreed") }
        try requireParties(partyIDs, field: "party_ids")
        var agreement = MediationAgreement()
        agreement.terms = terms
        agreement.partyIds = partyIDs
        agreement.recordedBy = by
        agreement.reachedAt = Google_Protobuf_Timestamp(date: at)
        agreement.followUpOn = followUpOn
        self.agreement = agreement
        status = .agreed
        note("agreement recorded" + (followUpOn.isEmpty ? "" : ", follow up on \(followUpOn)"), by: by, at: at)
    }

    /// Follows up the agreement: holding closes the case (held); broken reopens it, keeping
    /// the broken agreement in ``pastAgreements``.
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` unless an agreement was reached (agreed or
    ///   held); `INVALID_ARGUMENT` for no result.
    mutating func followUp(_ result: MediationFollowUpResult, note text: String, by: String, at: Date) throws {
        guard status == .agreed || status == .held else {
            throw RPCError(code: .failedPrecondition, message: "case \(id) is \(statusName): only an agreement is followed up")
        }
        var followUp = MediationFollowUp()
        followUp.result = result
        followUp.note = text
        followUp.recordedBy = by
        followUp.recordedAt = Google_Protobuf_Timestamp(date: at)
        switch result {
        case .holding:
            status = .held
            note("follow-up: the agreement holds", by: by, at: at)
        case .broken:
            pastAgreements.append(agreement)
            clearAgreement()
            status = .open
            note("follow-up: the agreement is broken; case reopened", by: by, at: at)
        default:
            throw RPCError(code: .invalidArgument, message: "result: holding or broken")
        }
        followUps.append(followUp)
    }

    /// The case as `caller` may see it: without the statements for someone who does not
    /// mediate, saying how many were withheld and why.
    func shown(toMediator mediator: Bool) -> MediationCase {
        guard !mediator, !statements.isEmpty else { return self }
        var shown = self
        shown.statementsWithheld = UInt32(statements.count)
        shown.withheldNote = "\(statements.count) statement\(statements.count == 1 ? "" : "s") withheld: the parties' statements are for the case's mediators only"
        shown.statements = []
        return shown
    }

    /// Records the opening in the history.
    mutating func noteOpened(by: String, at: Date) {
        note(proposalID.isEmpty ? "opened" : "opened from proposal \(proposalID)", by: by, at: at)
    }
}
