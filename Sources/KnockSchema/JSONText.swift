/// Writes a ``JSONValue`` as JSON text, compact or indented by two spaces.
struct JSONText {
    private var output: [UInt8] = []
    private let pretty: Bool

    /// The text of a value.
    static func render(_ value: JSONValue, pretty: Bool) -> String {
        var text = JSONText(pretty: pretty)
        text.write(value, indent: 0)
        return String(decoding: text.output, as: UTF8.self)
    }

    /// A string as a JSON string literal, quotes included.
    static func quoted(_ string: String) -> String {
        var text = JSONText(pretty: false)
        text.writeString(string)
        return String(decoding: text.output, as: UTF8.self)
    }

    private init(pretty: Bool) {
        self.pretty = pretty
    }

    private mutating func write(_ value: JSONValue, indent: Int) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text):
            output.append(contentsOf: text.utf8)
        case .string(let string):
            writeString(string)
        case .array(let elements):
            writeContainer(elements, open: "[", close: "]", indent: indent) { text, element in
                text.write(element, indent: indent + 1)
            }
        case .object(let members):
            writeContainer(members, open: "{", close: "}", indent: indent) { text, member in
                text.writeString(member.key)
                text.output.append(UInt8(ascii: ":"))
                if text.pretty { text.output.append(UInt8(ascii: " ")) }
                text.write(member.value, indent: indent + 1)
            }
        }
    }

    /// Writes the brackets of an array or object, with its items separated by commas and, when
    /// pretty, each on its own line.
    private mutating func writeContainer<Item>(
        _ items: [Item],
        open: Unicode.Scalar,
        close: Unicode.Scalar,
        indent: Int,
        writeItem: (inout JSONText, Item) -> Void
    ) {
        output.append(UInt8(ascii: open))
        for (index, item) in items.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            newline(indent + 1)
            writeItem(&self, item)
        }
        if !items.isEmpty { newline(indent) }
        output.append(UInt8(ascii: close))
    }

    private mutating func newline(_ indent: Int) {
        guard pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    private mutating func writeString(_ string: String) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): output.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): output.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"): output.append(contentsOf: "\\t".utf8)
            case 0x08: output.append(contentsOf: "\\b".utf8)
            case 0x0C: output.append(contentsOf: "\\f".utf8)
            case 0x00..<0x20:
                let hex = String(byte, radix: 16)
                output.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
