import Foundation
import KnockModuleKit

/// The configuration of 随时敲 (`modules.urgent-knock.config` in the host's file), parsed
/// strictly: an unknown key or a bad value is an error naming the key, never a silent default.
///
/// | key | meaning | default |
/// |---|---|---|
/// | `ladder` | the steps and their minutes to acknowledge | `knock-again:30,phone:15,emergency-contact:15,secretary:15,entry` |
/// | `vulnerable` | resident tags whose no-answer opens a case (any one suffices) | `living-alone,advanced-age,recently-discharged,disabled` |
/// | `secretary.<community>` | the member id of the community's secretary, assigned the secretary and entry steps | unset: any staff member (`role:staff`) |
///
/// The day of a knock again is the deployment's (``ModuleContext/timeZone``, the host's
/// `time_zone`): the module has no time zone of its own, and a `time_zone` key here is refused
/// as unknown like any other.
struct UrgentKnockSettings: Sendable, ModuleConfigurationSettings {
    /// The ladder.
    var ladder: Ladder
    /// Tags that make a resident vulnerable.
    var vulnerable: Set<CommunityResidentTag>
    /// Secretary member ids by community.
    var secretaries: [String: String]

    /// The default vulnerable tags.
    static let standardVulnerable = "living-alone,advanced-age,recently-discharged,disabled"

    /// Parses the configuration.
    /// - Parameter configuration: The module's `key=value` settings.
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` naming the key at fault.
    init(_ configuration: [String: String]) throws {
        func bad(_ key: String, _ detail: String) -> RPCError {
            RPCError(code: .failedPrecondition, message: "urgent-knock configuration: \(key): \(detail)")
        }
        ladder = try Ladder(parsing: configuration["ladder"] ?? Ladder.standardText)
        var vulnerable: Set<CommunityResidentTag> = []
        for name in (configuration["vulnerable"] ?? Self.standardVulnerable).split(separator: ",", omittingEmptySubsequences: false) {
            let name = name.trimmingCharacters(in: .whitespaces)
            guard let tag = CommunityResidentTag(configurationName: name) else {
                throw bad("vulnerable", "unknown resident tag '\(name)' (tags: \(CommunityResidentTag.named.map { $0.name }.joined(separator: ", ")))")
            }
            vulnerable.insert(tag)
        }
        self.vulnerable = vulnerable
        var secretaries: [String: String] = [:]
        for (key, value) in configuration where key.hasPrefix("secretary.") {
            let community = String(key.dropFirst("secretary.".count))
            guard !community.isEmpty else { throw bad(key, "name the community: secretary.<community>=<member id>") }
            let member = value.trimmingCharacters(in: .whitespaces)
            guard !member.isEmpty, member.utf8.count <= 64, !member.contains(where: { $0.isWhitespace || $0 == "," }) else {
                throw bad(key, "'\(value)' is not a member id")
            }
            secretaries[community] = member
        }
        self.secretaries = secretaries
        let known: Set<String> = ["ladder", "vulnerable"]
        for key in configuration.keys.sorted() where !known.contains(key) && !key.hasPrefix("secretary.") {
            throw bad(key, "unknown key (keys: ladder, vulnerable, secretary.<community>)")
        }
    }

    /// Whether a resident with `tags` is vulnerable.
    func isVulnerable(_ tags: [CommunityResidentTag]) -> Bool {
        tags.contains(where: vulnerable.contains)
    }

    /// Who the secretary and entry steps of `community` are assigned to.
    func secretary(of community: String) -> String {
        secretaries[community].map { "member:\($0)" } ?? "role:staff"
    }
}
