import KnockModuleKit

/// The configuration of 顺顺吧 (`modules.mediation.config`), parsed strictly: an unknown key or
/// a bad value is an error naming the key.
///
/// | key | meaning | default |
/// |---|---|---|
/// | `mediators` | member ids who mediate besides the community's staff (`m-2,m-7`) | none |
/// | `words` | words that spot a dispute in visit notes, besides the built-in ones (`霸占,占用`) | none |
///
/// Built-in words: 吵架, 纠纷, 矛盾, 争执, 堵, 漏水, 噪音, quarrel, dispute, blocked, leak, noise.
struct MediationSettings: Sendable, ModuleConfigurationSettings {
    /// Members who mediate in every community, besides staff.
    var mediators: Set<String> = []
    /// The words that spot a dispute.
    var words: [String] = MediationSettings.builtInWords

    /// The built-in words.
    static let builtInWords = ["吵架", "纠纷", "矛盾", "争执", "堵", "漏水", "噪音", "quarrel", "dispute", "blocked", "leak", "noise"]

    /// Parses the configuration.
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` naming the key at fault.
    init(_ configuration: [String: String]) throws {
        func bad(_ key: String, _ detail: String) -> RPCError {
            RPCError(code: .failedPrecondition, message: "mediation configuration: \(key): \(detail)")
        }
        for (key, value) in configuration.sorted(by: { $0.key < $1.key }) {
            let items = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            switch key {
            case "mediators":
                for id in items {
                    guard !id.isEmpty, id.utf8.count <= 64, !id.contains(where: \.isWhitespace) else { throw bad(key, "'\(id)' is not a member id") }
                    mediators.insert(id)
                }
            case "words":
                for word in items {
                    guard !word.isEmpty else { throw bad(key, "an empty word (words are separated by commas)") }
                    guard word.count <= 32 else { throw bad(key, "'\(word)' is longer than 32 characters") }
                    if !words.contains(word.lowercased()) { words.append(word.lowercased()) }
                }
            default:
                throw bad(key, "unknown key (keys: mediators, words)")
            }
        }
    }

    /// Whether `caller` mediates in `community`: an administrator, a staff member of the
    /// community, or a member listed in `mediators`.
    func isMediator(_ caller: ModuleCaller, in community: String) -> Bool {
        caller.isStaff(of: community) || (caller.isMember && mediators.contains(caller.id))
    }

    /// Whether `caller` may read the cases of `community` (statements aside): mediators and
    /// the community's members.
    func mayRead(_ caller: ModuleCaller, in community: String) -> Bool {
        isMediator(caller, in: community) || (caller.isMember && caller.communityID == community)
    }
}
