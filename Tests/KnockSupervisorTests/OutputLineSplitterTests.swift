import Testing

@testable import KnockSupervisor

@Suite("Output line splitter")
struct OutputLineSplitterTests {
    /// Feeds `input` to a splitter in pieces of `pieceSize` bytes and returns the lines.
    func split(_ input: [UInt8], maximum: Int = 10, pieceSize: Int) -> [OutputLineSplitter.Line] {
        var splitter = OutputLineSplitter(maximumLineLength: maximum)
        var lines: [OutputLineSplitter.Line] = []
        var start = 0
        while start < input.count {
            let end = min(start + pieceSize, input.count)
            input[start..<end].withUnsafeBytes { splitter.append($0) { lines.append($0) } }
            start = end
        }
        splitter.finish { lines.append($0) }
        return lines
    }

    func line(_ text: String, truncated: Bool = false) -> OutputLineSplitter.Line {
        OutputLineSplitter.Line(text: text, isTruncated: truncated)
    }

    @Test("lines come out the same whether bytes arrive one by one or at once", arguments: [1, 2, 3, 7, 1000])
    func piecesDoNotMatter(pieceSize: Int) {
        let input = Array("one\ntwo\r\n\nthree is long\nlast".utf8)
        #expect(
            split(input, pieceSize: pieceSize) == [
                line("one"), line("two"), line(""), line("three is l", truncated: true), line("last"),
            ]
        )
    }

    @Test("a cut does not split a UTF-8 character", arguments: [1, 4, 100])
    func cutKeepsCharactersWhole(pieceSize: Int) {
        // "敲门" is 6 bytes; at a limit of 4 the second character would be split.
        let input = Array("敲门敲门\nok\n".utf8)
        #expect(split(input, maximum: 4, pieceSize: pieceSize) == [line("敲", truncated: true), line("ok")])
    }

    @Test("bytes that are not UTF-8 become replacement characters")
    func invalidBytes() {
        #expect(split([0x61, 0xFF, 0x62, 0x0A], pieceSize: 4) == [line("a\u{FFFD}b")])
    }

    @Test("a flood without line breaks holds no more than one line")
    func floodIsBounded() {
        var splitter = OutputLineSplitter(maximumLineLength: 1024)
        var count = 0
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
        for _ in 0..<32 {  // 2 MiB
            chunk.withUnsafeBytes { splitter.append($0) { _ in count += 1 } }
            #expect(splitter.bufferedByteCount <= 1024)
        }
        #expect(count == 1)
        Array("\nnext\n".utf8).withUnsafeBytes { splitter.append($0) { _ in count += 1 } }
        #expect(count == 2)
    }
}
