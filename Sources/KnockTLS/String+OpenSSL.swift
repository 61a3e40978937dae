extension String {
    /// Decodes a NUL-terminated C string held in a Swift array (UTF-8, repairing bad bytes).
    init(nulTerminated buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
