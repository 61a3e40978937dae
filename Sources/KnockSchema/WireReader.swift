/// Reads the protobuf binary format from a byte array, checking every length against what is
/// left before using it: malformed input throws ``SchemaError/Code/malformedBinary`` and never
/// makes the reader allocate more than the input holds.
///
/// A reader for a length-delimited field shares the array and only narrows the window.
struct WireReader {
    private let bytes: [UInt8]
    private var position: Int
    private let end: Int

    /// A reader over all of `bytes`.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
    }

    private init(bytes: [UInt8], position: Int, end: Int) {
        self.bytes = bytes
        self.position = position
        self.end = end
    }

    /// Whether everything has been read.
    var isAtEnd: Bool {
        position >= end
    }

    /// Reads a field tag.
    /// - Returns: The field number (1 or more) and the wire type.
    mutating func readTag() throws -> (number: Int32, wireType: WireType) {
        let tag = try readVarint()
        guard tag <= UInt64(UInt32.max) else {
            throw Self.malformed("a field tag is larger than 32 bits")
        }
        guard let wireType = WireType(rawValue: UInt8(tag & 7)) else {
            throw Self.malformed("wire type \(tag & 7) does not exist (field \(tag >> 3))")
        }
        let number = Int32(tag >> 3)
        guard number > 0 else {
            throw Self.malformed("field number 0 is not allowed")
        }
        return (number, wireType)
    }

    /// Reads a base-128 varint of at most 10 bytes.
    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < end {
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                return result
            }
            shift += 7
            if shift >= 70 {
                throw Self.malformed("a varint is longer than 10 bytes")
            }
        }
        throw Self.malformed("the input ends inside a varint")
    }

    /// Reads a little-endian 32-bit value.
    mutating func readFixed32() throws -> UInt32 {
        try readLittleEndian(UInt32.self, for: "a 32-bit value")
    }

    /// Reads a little-endian 64-bit value.
    mutating func readFixed64() throws -> UInt64 {
        try readLittleEndian(UInt64.self, for: "a 64-bit value")
    }

    private mutating func readLittleEndian<Value: FixedWidthInteger & UnsignedInteger>(_: Value.Type, for what: String) throws -> Value {
        let size = Value.bitWidth / 8
        try require(size, for: what)
        var value: Value = 0
        for offset in 0..<size {
            value |= Value(bytes[position + offset]) << (8 * offset)
        }
        position += size
        return value
    }

    /// Reads a length prefix and returns a reader over that many following bytes.
    mutating func readLengthDelimited() throws -> WireReader {
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            throw Self.malformed("a length of \(length) bytes runs past the end of the input (\(end - position) left)")
        }
        let start = position
        position += Int(length)
        return WireReader(bytes: bytes, position: start, end: position)
    }

    /// Reads a length-delimited field as bytes.
    mutating func readBytes() throws -> [UInt8] {
        let field = try readLengthDelimited()
        return Array(field.bytes[field.position..<field.end])
    }

    /// Reads a length-delimited field as a UTF-8 string.
    mutating func readString() throws -> String {
        let field = try readLengthDelimited()
        guard let string = String(validating: field.bytes[field.position..<field.end], as: UTF8.self) else {
            throw Self.malformed("a string field holds invalid UTF-8")
        }
        return string
    }

    /// Skips the value of a field this reader's caller does not know.
    /// - Parameters:
    ///   - wireType: The wire type from the field's tag.
    ///   - number: The field number, to match a group's end tag.
    ///   - depth: How deeply nested the field is, to bound nested groups.
    mutating func skipField(_ wireType: WireType, number: Int32, depth: Int) throws {
        switch wireType {
        case .varint:
            _ = try readVarint()
        case .fixed64:
            try require(8, for: "a 64-bit value")
            position += 8
        case .fixed32:
            try require(4, for: "a 32-bit value")
            position += 4
        case .lengthDelimited:
            _ = try readLengthDelimited()
        case .startGroup:
            guard depth < BinaryDecoder.maximumDepth else {
                throw Self.malformed("groups are nested more than \(BinaryDecoder.maximumDepth) levels deep")
            }
            while true {
                guard !isAtEnd else {
                    throw Self.malformed("the input ends inside group \(number)")
                }
                let tag = try readTag()
                if tag.wireType == .endGroup {
                    guard tag.number == number else {
                        throw Self.malformed("group \(number) is closed by an end-group tag for field \(tag.number)")
                    }
                    return
                }
                try skipField(tag.wireType, number: tag.number, depth: depth + 1)
            }
        case .endGroup:
            throw Self.malformed("an end-group tag for field \(number) has no matching start")
        }
    }

    private func require(_ count: Int, for what: String) throws {
        guard end - position >= count else {
            throw Self.malformed("the input ends inside \(what)")
        }
    }

    static func malformed(_ message: String) -> SchemaError {
        SchemaError(.malformedBinary, message)
    }
}
