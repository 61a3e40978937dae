import KnockModuleKit

/// The steps by their configuration names (`knock-again`), and what each asks of its assignee.
extension UrgentKnockStepKind {
    /// The steps a ladder may have, in their usual order.
    static let ladderSteps: [UrgentKnockStepKind] = [.knockAgain, .phone, .emergencyContact, .secretary, .entry]

    /// The step's name in configuration and messages: `knock-again`, `phone`, `emergency-contact`,
    /// `secretary`, `entry`.
    var configurationName: String {
        switch self {
        case .knockAgain: "knock-again"
        case .phone: "phone"
        case .emergencyContact: "emergency-contact"
        case .secretary: "secretary"
        case .entry: "entry"
        default: "unspecified"
        }
    }

    /// The step named `name` in configuration.
    init?(configurationName name: String) {
        guard let kind = Self.ladderSteps.first(where: { $0.configurationName == name }) else { return nil }
        self = kind
    }

    /// What the step asks of its assignee, for alerts and plans.
    var task: String {
        switch self {
        case .knockAgain: "knock on the door again"
        case .phone: "phone the resident"
        case .emergencyContact: "phone the emergency contact"
        case .secretary: "the community secretary to act"
        case .entry: "authorise an entry into the home"
        default: "act"
        }
    }
}
