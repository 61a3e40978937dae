import Foundation
import KnockWire
import NIOCore
import Testing

/// Keeps the worked examples of Protocol/PROTOCOL.md true: every `C→S` / `S→C` frame in them
/// must decode, whole, for the side that receives it.
@Suite("PROTOCOL.md worked examples")
struct ProtocolDocumentTests {
    struct Example: CustomTestStringConvertible, Sendable {
        var label: String
        var receiver: ConnectionRole
        var hex: String
        var testDescription: String { label }
    }

    static let document = GoldenVector.directory.deletingLastPathComponent().appendingPathComponent("PROTOCOL.md")

    static func examples() throws -> [Example] {
        let text = try String(contentsOf: document, encoding: .utf8)
        let section = text.components(separatedBy: "## 10. Worked examples")[1].components(separatedBy: "## 11.")[0]
        var examples: [Example] = []
        for line in section.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if let match = line.firstMatch(of: /^(C→S|S→C) +([A-Z]+) +(.*)$/) {
                let receiver: ConnectionRole = match.1 == "C→S" ? .acceptor : .dialer
                examples.append(Example(label: "\(match.1) \(match.2) #\(examples.count)", receiver: receiver, hex: ""))
                examples[examples.count - 1].hex += hexPart(String(match.3))
            } else if line.hasPrefix("        "), !examples.isEmpty {
                examples[examples.count - 1].hex += hexPart(line)
            } else if line.hasPrefix("```") {
                continue
            }
        }
        return examples
    }

    /// The hex before a comment: the first run of single-space-separated hex tokens.
    static func hexPart(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let chunk = trimmed.components(separatedBy: "  ")[0]
        let tokens = chunk.split(separator: " ")
        guard !tokens.isEmpty, tokens.allSatisfy({ $0.allSatisfy(\.isHexDigit) && $0.count % 2 == 0 }) else { return "" }
        return tokens.joined()
    }

    @Test("the examples section has the frames of a unary call, a stream, cancel, ping and drain")
    func present() throws {
        let labels = try Self.examples().map(\.label)
        for name in ["HELLO", "REQUEST", "MESSAGE", "END", "CREDIT", "CANCEL", "PING", "PONG", "GOAWAY"] {
            #expect(labels.contains { $0.contains(" \(name) ") }, "no \(name) example")
        }
    }

    @Test("every example decodes as exactly one valid frame", arguments: try examples())
    func decodes(_ example: Example) throws {
        var bytes = ByteBuffer(bytes: Array(hexString: example.hex))
        let frame = try #require(try FrameDecoder(role: example.receiver).nextFrame(from: &bytes))
        #expect(bytes.readableBytes == 0, "\(bytes.readableBytes) bytes left over")
        switch frame.type {
        case .hello: #expect(try frame.decodeHello().versions == [1])
        case .request: #expect(try frame.requestParts().header.method.hasPrefix("knock.demo."))
        case .end: #expect(try frame.decodeStatus().code == 0)
        case .goAway: #expect(try frame.decodeGoAway().lastCallID == 3)
        default: break
        }
    }
}
