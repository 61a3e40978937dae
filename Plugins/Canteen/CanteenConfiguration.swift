import Foundation
import KnockModuleKit

/// canteen's settings, parsed strictly: a bad value is an error naming the key.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `price` | `15` | the price of a meal, in yuan (up to 2 decimals) |
/// | `subsidy.<tier>` | `advanced-age=5`, `low-income=8` | the subsidy of a tier per meal, in yuan (0 turns a tier off) |
/// | `subsidy.<tier>.tags` | `advanced-age`: `advanced-age`; `low-income`: `unemployed` | the resident tags that put a resident in the tier, comma-separated |
/// | `subsidy.rule` | `max` | `max`: the largest subsidy of the resident's tiers; `sum`: their sum (never more than the price) |
/// | `meal_words` | `送餐,做饭,不能做饭,吃饭,meal,cannot cook` | words in a visit that show a resident needs meals, comma-separated |
///
/// Tag names: `elderly`, `living-alone`, `empty-nest`, `advanced-age`, `disabled`, `unemployed`,
/// `recently-discharged`, `child`, `young-adult`. Knock's residents carry no low-income (低保)
/// tag, so the `low-income` tier goes by `unemployed` (失业、下岗) unless configured otherwise.
struct CanteenConfiguration: Sendable, Equatable, ModuleConfigurationSettings {
    /// A subsidy tier.
    struct Tier: Sendable, Equatable {
        var name: String
        var subsidyFen: UInt32
        var tags: Set<CommunityResidentTag>
    }

    enum Rule: String, Sendable { case max, sum }

    var priceFen: UInt32 = 1_500
    var tiers: [Tier] = [
        Tier(name: "advanced-age", subsidyFen: 500, tags: [.advancedAge]),
        Tier(name: "low-income", subsidyFen: 800, tags: [.unemployed]),
    ]
    var rule: Rule = .max
    var mealWords: [String] {
        get { mealWordList.words }
        set { mealWordList = WordList(newValue) }
    }
    private var mealWordList = WordList(["送餐", "做饭", "不能做饭", "吃饭", "meal", "cannot cook"])

    /// Reads `values`.
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` naming an unknown key or a bad value.
    init(_ values: [String: String]) throws {
        func bad(_ key: String, _ why: String) -> RPCError {
            RPCError(code: .failedPrecondition, message: "canteen configuration: \(key) \(why)")
        }
        var amounts: [String: UInt32] = [:]
        var tagSets: [String: Set<CommunityResidentTag>] = [:]
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "price":
                priceFen = try Self.fen(value, key: key)
                guard priceFen > 0 else { throw bad(key, "must be more than 0") }
            case "subsidy.rule":
                guard let rule = Rule(rawValue: value.trimmingCharacters(in: .whitespaces)) else { throw bad(key, "must be max or sum, not \"\(value)\"") }
                self.rule = rule
            case "meal_words":
                let words = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard !words.isEmpty else { throw bad(key, "must list at least one word") }
                mealWords = words
            case _ where key.hasPrefix("subsidy.") && key.hasSuffix(".tags"):
                let tier = String(key.dropFirst("subsidy.".count).dropLast(".tags".count))
                guard Self.isTierName(tier) else { throw bad(key, "names no tier (a-z, 0-9 and -)") }
                var tags = Set<CommunityResidentTag>()
                for name in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    guard let tag = CommunityResidentTag(configurationName: name) else {
                        throw bad(key, "has \"\(name)\", which is not a tag (\(CommunityResidentTag.named.map(\.name).sorted().joined(separator: ", ")))")
                    }
                    tags.insert(tag)
                }
                guard !tags.isEmpty else { throw bad(key, "must list at least one tag") }
                tagSets[tier] = tags
            case _ where key.hasPrefix("subsidy."):
                let tier = String(key.dropFirst("subsidy.".count))
                guard Self.isTierName(tier) else { throw bad(key, "names no tier (a-z, 0-9 and -)") }
                amounts[tier] = try Self.fen(value, key: key)
            default:
                throw bad(key, "is not a setting (price, subsidy.<tier>, subsidy.<tier>.tags, subsidy.rule, meal_words)")
            }
        }
        var tiers = self.tiers
        for (name, amount) in amounts {
            if let index = tiers.firstIndex(where: { $0.name == name }) {
                tiers[index].subsidyFen = amount
            } else {
                guard let tags = tagSets[name] else { throw bad("subsidy.\(name)", "is a new tier: give its tags in subsidy.\(name).tags") }
                tiers.append(Tier(name: name, subsidyFen: amount, tags: tags))
            }
        }
        for (name, tags) in tagSets {
            guard let index = tiers.firstIndex(where: { $0.name == name }) else { throw bad("subsidy.\(name).tags", "belongs to no tier: give subsidy.\(name) too") }
            tiers[index].tags = tags
        }
        for tier in tiers where tier.subsidyFen > priceFen {
            throw bad("subsidy.\(tier.name)", "is more than the price")
        }
        self.tiers = tiers.sorted { $0.name < $1.name }
    }

    /// The tiers a resident with `tags` is in (with a subsidy above 0).
    func tiers(for tags: [CommunityResidentTag]) -> [Tier] {
        tiers.filter { $0.subsidyFen > 0 && !$0.tags.isDisjoint(with: tags) }
    }

    /// The subsidy per meal of a resident with `tags`, under the rule, never above the price.
    func subsidyFen(for tags: [CommunityResidentTag]) -> UInt32 {
        let amounts = tiers(for: tags).map(\.subsidyFen)
        let subsidy: UInt32 = switch rule {
        case .max: amounts.max() ?? 0
        case .sum: amounts.reduce(0, +)
        }
        return min(subsidy, priceFen)
    }

    /// The words of `meal_words` found in `text` (ignoring case).
    func mealWords(in text: String) -> [String] {
        mealWordList.matches(in: text)
    }

    /// Yuan with up to two decimals, as fen.
    static func fen(_ text: String, key: String) throws -> UInt32 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        let digits = { (part: Substring) in !part.isEmpty && part.allSatisfy { $0.isASCII && $0.isNumber } }
        guard (1...2).contains(parts.count), digits(parts[0]), let yuan = UInt32(parts[0]), yuan <= 10_000,
              parts.count == 1 || ((1...2).contains(parts[1].count) && digits(parts[1]))
        else {
            throw RPCError(code: .failedPrecondition, message: "canteen configuration: \(key) must be an amount in yuan (up to 2 decimals, at most 10000), not \"\(text)\"")
        }
        let cents = parts.count == 2 ? UInt32(parts[1].count == 1 ? parts[1] + "0" : String(parts[1]))! : 0
        return yuan * 100 + cents
    }

    static func isTierName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
    }
}
