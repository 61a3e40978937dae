import KnockDomain
import KnockModuleKit

// The community core's enumerations in and out of their protobuf forms. An unspecified or
// unknown value from a client is refused with INVALID_ARGUMENT naming the field.

extension Channel {
    init(message: CommunityChannel, field: String) throws {
        switch message {
        case .door: self = .door
        case .online: self = .online
        case .phone: self = .phone
        case .unspecified, .UNRECOGNIZED: throw RPCError.invalidField(field, "must be DOOR, ONLINE or PHONE")
        }
    }

    var message: CommunityChannel {
        switch self {
        case .door: .door
        case .online: .online
        case .phone: .phone
        }
    }
}

extension Outcome {
    init(message: CommunityOutcome, field: String) throws {
        switch message {
        case .met: self = .met
        case .noAnswer: self = .noAnswer
        case .refused: self = .refused
        case .noteLeft: self = .noteLeft
        case .unspecified, .UNRECOGNIZED: throw RPCError.invalidField(field, "must be MET, NO_ANSWER, REFUSED or NOTE_LEFT")
        }
    }

    var message: CommunityOutcome {
        switch self {
        case .met: .met
        case .noAnswer: .noAnswer
        case .refused: .refused
        case .noteLeft: .noteLeft
        }
    }
}

extension Urgency {
    init(message: CommunityUrgency, field: String) throws {
        switch message {
        case .low: self = .low
        case .normal: self = .normal
        case .high: self = .high
        case .critical: self = .critical
        case .unspecified, .UNRECOGNIZED: throw RPCError.invalidField(field, "must be LOW, NORMAL, HIGH or CRITICAL")
        }
    }

    var message: CommunityUrgency {
        switch self {
        case .low: .low
        case .normal: .normal
        case .high: .high
        case .critical: .critical
        }
    }
}

extension NeedStatus {
    init(message: CommunityNeedStatus, field: String) throws {
        switch message {
        case .open: self = .open
        case .assigned: self = .assigned
        case .inProgress: self = .inProgress
        case .resolved: self = .resolved
        case .followedUp: self = .followedUp
        case .declined: self = .declined
        case .unspecified, .UNRECOGNIZED: throw RPCError.invalidField(field, "must be a need status")
        }
    }

    var message: CommunityNeedStatus {
        switch self {
        case .open: .open
        case .assigned: .assigned
        case .inProgress: .inProgress
        case .resolved: .resolved
        case .followedUp: .followedUp
        case .declined: .declined
        }
    }
}

extension ResidentTag {
    var message: CommunityResidentTag {
        switch self {
        case .elderly: .elderly
        case .livingAlone: .livingAlone
        case .emptyNest: .emptyNest
        case .advancedAge: .advancedAge
        case .disabled: .disabled
        case .unemployed: .unemployed
        case .recentlyDischarged: .recentlyDischarged
        case .child: .child
        case .youngAdult: .youngAdult
        }
    }
}

extension RPCError {
    /// INVALID_ARGUMENT naming the request field at fault.
    static func invalidField(_ field: String, _ problem: String) -> RPCError {
        RPCError(code: .invalidArgument, message: "\(field) \(problem)")
    }
}
