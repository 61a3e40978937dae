public import KnockModuleKit

/// Merges planned knocks from several methods into one plan: one knock per resident and day
/// serves every reason, keeps the highest priority, the first method's channel and member
/// unless a later one names a member, and lists every method that asked for it.
public enum KnockMerger {
    /// Merges `knocks`, highest priority first (ties: resident id).
    /// - Parameter knocks: Knocks as the methods planned them.
    /// - Returns: One knock per resident and day.
    public static func merge(_ knocks: [CommunityPlannedKnock]) -> [CommunityPlannedKnock] {
        var merged: [String: CommunityPlannedKnock] = [:]
        var order: [String] = []
        for knock in knocks {
            let key = "\(knock.residentID)|\(knock.date)"
            guard var existing = merged[key] else {
                merged[key] = knock
                order.append(key)
                continue
            }
            existing.priority = max(existing.priority, knock.priority)
            if !knock.why.isEmpty, !existing.why.contains(knock.why) {
                existing.why = existing.why.isEmpty ? knock.why : existing.why + "；" + knock.why
            }
            let sources = Set(existing.suggestedBy.split(separator: ",").map(String.init))
            if !knock.suggestedBy.isEmpty, !sources.contains(knock.suggestedBy) {
                existing.suggestedBy += existing.suggestedBy.isEmpty ? knock.suggestedBy : "," + knock.suggestedBy
            }
            if existing.memberID.isEmpty { existing.memberID = knock.memberID }
            merged[key] = existing
        }
        return order.compactMap { merged[$0] }.sorted {
            $0.priority != $1.priority ? $0.priority > $1.priority : $0.residentID < $1.residentID
        }
    }
}
