import KnockDomain

extension StoredJSON {
    /// A record's indexed fields as stored JSON: a flat object of strings, keys in order, as
    /// `JSONEncoder` writes it with sorted keys (slashes escaped), written directly. Every
    /// module record written and read carries them, on the one writing connection too, and
    /// `JSONEncoder` and `JSONDecoder` were a noticeable part of that.
    static func fields(_ fields: [String: String]) -> String {
        var text = "{"
        for (index, (key, value)) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { text += "," }
            appendString(key, escapingSlashes: true, to: &text)
            text += ":"
            appendString(value, escapingSlashes: true, to: &text)
        }
        return text + "}"
    }

    /// A list of strings as stored JSON: byte for byte what ``encode(_:)`` writes, written
    /// directly (a visit's requests, an audit entry's residents: written for every visit and
    /// every audited read).
    static func strings(_ strings: [String]) -> String {
        var text = "["
        for (index, string) in strings.enumerated() {
            if index > 0 { text += "," }
            appendString(string, to: &text)
        }
        return text + "]"
    }

    /// Reads indexed fields written by ``fields(_:)`` (or by `JSONEncoder`). Text without an
    /// escape (no backslash: the usual case) is read directly; other text goes through
    /// `JSONDecoder`.
    /// - Throws: ``StoreError`` `internal` if the text is not a flat object of strings.
    static func fields(from text: String) throws -> [String: String] {
        let utf8 = text.utf8
        guard !utf8.contains(UInt8(ascii: "\\")) else { return try decode([String: String].self, from: text) }
        guard utf8.first == UInt8(ascii: "{"), utf8.last == UInt8(ascii: "}"), utf8.count >= 2 else {
            throw StoreError(code: .internal, message: "stored fields are not a JSON object: \(text.prefix(80))")
        }
        let inner = utf8.dropFirst().dropLast()
        guard !inner.isEmpty else { return [:] }
        // Without escapes every quote opens or closes a string: "k":"v","k":"v"
        let parts = inner.split(separator: UInt8(ascii: "\""), omittingEmptySubsequences: false)
        let fieldCount = (parts.count - 1) / 4
        guard parts.count == fieldCount * 4 + 1, parts.first?.isEmpty == true, parts.last?.isEmpty == true else {
            throw StoreError(code: .internal, message: "stored fields are not a flat JSON object of strings: \(text.prefix(80))")
        }
        var fields: [String: String] = [:]
        fields.reserveCapacity(fieldCount)
        for field in 0..<fieldCount {
            let base = field * 4
            let separator = parts[base + 2], next = parts[base + 4]
            guard separator.elementsEqual(":".utf8), field == fieldCount - 1 ? next.isEmpty : next.elementsEqual(",".utf8) else {
                throw StoreError(code: .internal, message: "stored fields are not a flat JSON object of strings: \(text.prefix(80))")
            }
            fields[String(decoding: parts[base + 1], as: UTF8.self)] = String(decoding: parts[base + 3], as: UTF8.self)
        }
        return fields
    }

    /// Reads a contact written by ``encode(_:)``: a flat object of its three strings, read as
    /// indexed fields are (every visit's write reads its resident's emergency contact).
    /// - Throws: ``StoreError`` `internal` if the text is not a contact.
    static func contact(from text: String) throws -> Contact {
        let fields = try fields(from: text)
        guard fields.count == 3, let name = fields["name"], let phone = fields["phone"], let relation = fields["relation"] else {
            return try decode(Contact.self, from: text)
        }
        return Contact(name: name, phone: phone, relation: relation)
    }
}
