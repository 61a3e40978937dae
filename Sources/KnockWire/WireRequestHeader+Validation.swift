extension WireRequestHeader {
    /// Checks the header against the limits of PROTOCOL.md: a method name of the form
    /// `service.Method` (at most 256 bytes), at most 64 metadata entries and 8 KiB of metadata,
    /// well-formed metadata keys, and an idempotency key of at most 128 bytes.
    /// - Throws: ``WireError`` `invalidHeader` naming the first rule broken.
    public func validate() throws(WireError) {
        let methodBytes = method.utf8.count
        if methodBytes == 0 || methodBytes > WireLimits.maxMethodNameBytes {
            throw WireError(.invalidHeader, "method name must be 1 to \(WireLimits.maxMethodNameBytes) bytes, not \(methodBytes)")
        }
        guard let dot = method.utf8.lastIndex(of: UInt8(ascii: ".")),
              dot != method.utf8.startIndex, method.utf8.index(after: dot) != method.utf8.endIndex
        else {
            throw WireError(.invalidHeader, "method name \"\(method)\" is not of the form service.Method")
        }
        try WireMetadataEntry.validate(metadata, field: "metadata")
        if idempotencyKey.utf8.count > WireLimits.maxIdempotencyKeyBytes {
            throw WireError(.invalidHeader, "idempotency key is \(idempotencyKey.utf8.count) bytes; at most \(WireLimits.maxIdempotencyKeyBytes)")
        }
    }
}

extension WireMetadataEntry {
    /// Checks a list of metadata entries: count, total size and key syntax.
    /// - Parameters:
    ///   - entries: The entries of a request header or status.
    ///   - field: The field name to mention in the error.
    /// - Throws: ``WireError`` `invalidHeader` naming the first rule broken.
    public static func validate(_ entries: [WireMetadataEntry], field: String) throws(WireError) {
        if entries.count > WireLimits.maxMetadataEntries {
            throw WireError(.invalidHeader, "\(field) has \(entries.count) entries; at most \(WireLimits.maxMetadataEntries)")
        }
        var total = 0
        for entry in entries {
            let key = entry.key.utf8
            if key.isEmpty || key.count > WireLimits.maxMetadataKeyBytes || !key.allSatisfy(isKeyByte) {
                throw WireError(.invalidHeader, "\(field) key \"\(entry.key)\" must be 1 to \(WireLimits.maxMetadataKeyBytes) bytes of a-z, 0-9, '-', '_', '.'")
            }
            total += key.count
            switch entry.value {
            case .text(let text): total += text.utf8.count
            case .binary(let bytes): total += bytes.count
            case nil: break
            }
        }
        if total > WireLimits.maxMetadataBytes {
            throw WireError(.invalidHeader, "\(field) is \(total) bytes; at most \(WireLimits.maxMetadataBytes)")
        }
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }
}
