import KnockModuleKit
import Testing

@Suite("Word lists")
struct WordListTests {
    @Test("words are found in notes ignoring case, in the list's order, Chinese and English alike")
    func matches() {
        let list = WordList(["吵架", "Noise", "漏水", "cannot cook"])
        #expect(list.matches(in: "楼上漏水，邻居说NOISE很大；昨天吵架了") == ["吵架", "Noise", "漏水"])
        #expect(list.matches(in: "She CANNOT COOK any more") == ["cannot cook"])
        #expect(list.matches(in: "一切正常") == [])
        #expect(list.matches(in: "") == [])
        #expect(list.matchesAny(in: "no noise") && !list.matchesAny(in: "quiet"))
    }

    @Test("a word longer than the text, at its very end, or repeating its first letter is found only when it occurs")
    func edges() {
        #expect(WordList(["漏水了吗"]).matches(in: "漏水") == [])
        #expect(WordList(["水"]).matches(in: "漏水") == ["水"])
        #expect(WordList(["aab"]).matches(in: "aaab") == ["aab"])
        #expect(WordList(["aab"]).matches(in: "x aab") == ["aab"])
        #expect(WordList(["aab"]).matches(in: "abab") == [])
        // A word is matched as bytes: part of one character never matches another.
        #expect(WordList(["\u{6F0F}"]).matches(in: "\u{6F0E}\u{6F10}") == [])
    }
}
