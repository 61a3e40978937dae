/// Words to look for in free text (a visit's notes), ignoring case: the words a method is
/// configured to watch for, such as 顺顺吧's dispute words or the canteen's meal words.
///
/// The words are lowercased once, when the list is made; a search lowercases the text once and
/// compares UTF-8 bytes, so a visit's notes cost one pass per word and no Foundation string
/// search (which folds character clusters and was a noticeable part of assessing a visit).
/// Words match as written: text and words are not Unicode-normalized.
public struct WordList: Sendable, Equatable {
    /// The words, as configured.
    public let words: [String]
    private let lowered: [[UInt8]]

    /// A list of `words`, in the order matches are reported.
    public init(_ words: [String]) {
        self.words = words
        lowered = words.map { Array($0.lowercased().utf8) }
    }

    /// The words found in `text`, in the list's order.
    public func matches(in text: String) -> [String] {
        let haystack = Array(text.lowercased().utf8)
        return zip(words, lowered).compactMap { word, bytes in Self.occurs(bytes, in: haystack) ? word : nil }
    }

    /// Whether any word is found in `text`.
    public func matchesAny(in text: String) -> Bool {
        let haystack = Array(text.lowercased().utf8)
        return lowered.contains { Self.occurs($0, in: haystack) }
    }

    /// Whether `needle` occurs in `haystack` (an empty needle occurs everywhere).
    private static func occurs(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard needle.count <= haystack.count else { return false }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            guard let found = haystack[start...last].firstIndex(of: first) else { return false }
            if haystack[found..<(found + needle.count)].elementsEqual(needle) { return true }
            start = found + 1
        }
        return false
    }
}
