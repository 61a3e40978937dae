import KnockDomain

extension StoredJSON {
    /// A knock's reasons as stored JSON: byte for byte what ``encode(_:)`` writes (keys sorted,
    /// the synthesized form of `Provenance`), written directly. A district's plan stores tens of
    /// thousands of knocks, and `JSONEncoder` took most of the time of saving it.
    static func reasons(_ reasons: [PlannedKnock.Reason]) -> String {
        var text = "["
        for (index, reason) in reasons.enumerated() {
            if index > 0 { text += "," }
            text += "{\"suggestedBy\":"
            switch reason.suggestedBy {
            case .member(let id): appendCase("member", id, to: &text)
            case .administrator(let id): appendCase("administrator", id, to: &text)
            case .module(let id): appendCase("module", id, to: &text)
            case .integrator(let id): appendCase("integrator", id, to: &text)
            case .department(let id): appendCase("department", id, to: &text)
            case .host: text += "{\"host\":{}}"
            }
            text += ",\"why\":"
            appendString(reason.why, to: &text)
            text += "}"
        }
        return text + "]"
    }

    /// `{"case":{"_0":"value"}}`: an enum case with one unlabelled value.
    private static func appendCase(_ name: String, _ value: String, to text: inout String) {
        text += "{\"\(name)\":{\"_0\":"
        appendString(value, to: &text)
        text += "}}"
    }

    /// A JSON string as `JSONEncoder` writes it: without escaping slashes (its
    /// `withoutEscapingSlashes`), or escaping them (`\/`, its default).
    static func appendString(_ value: String, escapingSlashes: Bool = false, to text: inout String) {
        text += "\""
        var plain = value.unicodeScalars.startIndex
        for index in value.unicodeScalars.indices {
            let scalar = value.unicodeScalars[index]
            let escape: String
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case "/" where escapingSlashes: escape = "\\/"
            case "\u{08}": escape = "\\b"
            case "\u{0C}": escape = "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                continue
            }
            text.unicodeScalars.append(contentsOf: value.unicodeScalars[plain..<index])
            text += escape
            plain = value.unicodeScalars.index(after: index)
        }
        text.unicodeScalars.append(contentsOf: value.unicodeScalars[plain...])
        text += "\""
    }
}
