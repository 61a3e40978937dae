#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
package import NIOCore
import SwiftProtobuf

/// A hand-written protobuf codec for the request header, the one message every call carries.
///
/// SwiftProtobuf's generic encoder and decoder cost more per call than the rest of the header
/// handling together (an intermediate `[UInt8]`, visitor and decoder machinery). These produce
/// and accept exactly the bytes SwiftProtobuf does: fields in number order, proto3 defaults
/// left out, metadata entries as nested messages. Anything unusual — unknown fields, fields out
/// of order or repeated, a wire type that does not match, a varint out of range, invalid
/// UTF-8 — is handed to SwiftProtobuf, so its rules (and error messages) stay the reference.
extension WireRequestHeader {
    /// The number of bytes of the header's protobuf encoding.
    package var encodedSize: Int {
        guard unknownFields.data.isEmpty else { return Self.swiftProtobufBytes(self).count }
        var size = 0
        if !method.isEmpty { size += Protobuf.lengthDelimitedSize(method.utf8.count) }
        if timeoutUs != 0 { size += 1 + Protobuf.varintSize(timeoutUs) }
        for entry in metadata { size += Protobuf.lengthDelimitedSize(entry.encodedSize) }
        if !idempotencyKey.isEmpty { size += Protobuf.lengthDelimitedSize(idempotencyKey.utf8.count) }
        if initialCredit != 0 { size += 1 + Protobuf.varintSize(UInt64(initialCredit)) }
        return size
    }

    /// Appends the header's protobuf encoding, byte for byte what SwiftProtobuf writes.
    /// - Parameter buffer: Where to append.
    /// - Returns: The number of bytes written (``encodedSize``).
    @discardableResult
    package func encode(into buffer: inout ByteBuffer) -> Int {
        let size = encodedSize
        return buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
            encode(into: UnsafeMutableRawBufferPointer(rebasing: out[..<size]))
            return size
        }
    }

    /// Writes the header's protobuf encoding into exactly `out` (``encodedSize`` bytes).
    func encode(into out: UnsafeMutableRawBufferPointer) {
        guard unknownFields.data.isEmpty else {
            let bytes = Self.swiftProtobufBytes(self)
            precondition(bytes.count == out.count, "the header's encoding is \(bytes.count) bytes, not the \(out.count) computed")
            out.copyBytes(from: bytes)
            return
        }
        var writer = ProtobufWriter(out: out)
        if !method.isEmpty { writer.string(method, field: 1) }
        if timeoutUs != 0 {
            writer.tag(field: 2, wireType: Protobuf.varint)
            writer.varint(timeoutUs)
        }
        for entry in metadata {
            writer.tag(field: 3, wireType: Protobuf.lengthDelimited)
            writer.varint(UInt64(entry.encodedSize))
            entry.encode(into: &writer)
        }
        if !idempotencyKey.isEmpty { writer.string(idempotencyKey, field: 4) }
        if initialCredit != 0 {
            writer.tag(field: 5, wireType: Protobuf.varint)
            writer.varint(UInt64(initialCredit))
        }
        precondition(writer.index == out.count, "the header's encoding is \(writer.index) bytes, not the \(out.count) computed")
    }

    /// Parses a header from the readable bytes of `bytes`, accepting what SwiftProtobuf accepts.
    /// - Parameter bytes: The serialized header.
    /// - Throws: SwiftProtobuf's decoding error when the bytes are not a valid header.
    package init(decoding bytes: ByteBuffer) throws {
        if let header = Self.decodeCommon(bytes) {
            self = header
        } else {
            self = try WireRequestHeader(serializedBytes: bytes.readableBytesSpan)
        }
    }

    /// The fast path of ``init(decoding:)``: `nil` for anything it leaves to SwiftProtobuf.
    static func decodeCommon(_ bytes: ByteBuffer) -> WireRequestHeader? {
        // One look at the bytes for the whole header: each of ByteBuffer's reads checks its
        // storage and bounds again, a dozen times a header.
        bytes.withUnsafeReadableBytes { raw in
            var reader = ProtobufReader(raw)
            return decodeCommon(&reader)
        }
    }

    private static func decodeCommon(_ reader: inout ProtobufReader) -> WireRequestHeader? {
        var header = WireRequestHeader()
        var lastField: UInt64 = 0
        while !reader.isAtEnd {
            // In order, each field once; only metadata (3) repeats.
            guard let (field, wireType) = reader.key(after: &lastField, repeatable: 3) else { return nil }
            switch (field, wireType) {
            case (1, Protobuf.lengthDelimited):
                guard let method = reader.string() else { return nil }
                header.method = method
            case (2, Protobuf.varint):
                guard let timeout = reader.varint() else { return nil }
                header.timeoutUs = timeout
            case (3, Protobuf.lengthDelimited):
                guard var entryReader = reader.lengthDelimited(), let entry = WireMetadataEntry.decodeCommon(&entryReader) else { return nil }
                header.metadata.append(entry)
            case (4, Protobuf.lengthDelimited):
                guard let key = reader.string() else { return nil }
                header.idempotencyKey = key
            case (5, Protobuf.varint):
                guard let credit = reader.varint(), let narrow = UInt32(exactly: credit) else { return nil }
                header.initialCredit = narrow
            default:
                return nil
            }
        }
        return header
    }

    static func swiftProtobufBytes(_ message: some SwiftProtobuf.Message) -> [UInt8] {
        do {
            return try message.serializedBytes()
        } catch {
            // A proto3 message without Any fields always serializes.
            preconditionFailure("\(type(of: message)) failed to serialize: \(error)")
        }
    }
}

extension WireMetadataEntry {
    /// The number of bytes of the entry's protobuf encoding.
    var encodedSize: Int {
        guard unknownFields.data.isEmpty else { return WireRequestHeader.swiftProtobufBytes(self).count }
        var size = key.isEmpty ? 0 : Protobuf.lengthDelimitedSize(key.utf8.count)
        switch value {
        case .text(let text): size += Protobuf.lengthDelimitedSize(text.utf8.count)
        case .binary(let bytes): size += Protobuf.lengthDelimitedSize(bytes.count)
        case nil: break
        }
        return size
    }

    func encode(into writer: inout ProtobufWriter) {
        guard unknownFields.data.isEmpty else {
            WireRequestHeader.swiftProtobufBytes(self).withUnsafeBytes { writer.bytes($0) }
            return
        }
        if !key.isEmpty { writer.string(key, field: 1) }
        switch value {
        case .text(let text):
            writer.string(text, field: 2)
        case .binary(let bytes):
            writer.tag(field: 3, wireType: Protobuf.lengthDelimited)
            writer.varint(UInt64(bytes.count))
            bytes.withUnsafeBytes { writer.bytes($0) }
        case nil:
            break
        }
    }

    static func decodeCommon(_ reader: inout ProtobufReader) -> WireMetadataEntry? {
        var entry = WireMetadataEntry()
        var lastField: UInt64 = 0
        while !reader.isAtEnd {
            guard let (field, wireType) = reader.key(after: &lastField) else { return nil }
            switch (field, wireType) {
            case (1, Protobuf.lengthDelimited):
                guard let key = reader.string() else { return nil }
                entry.key = key
            case (2, Protobuf.lengthDelimited):
                guard let text = reader.string() else { return nil }
                entry.value = .text(text)
            case (3, Protobuf.lengthDelimited):
                // At most one value of the oneof.
                guard entry.value == nil, let bytes = reader.lengthDelimited() else { return nil }
                entry.value = .binary(bytes.data)
            default:
                return nil
            }
        }
        return entry
    }
}

/// Protobuf binary encoding constants and sizes.
enum Protobuf {
    static let varint: UInt64 = 0
    static let lengthDelimited: UInt64 = 2

    static func varintSize(_ value: UInt64) -> Int {
        // 7 bits per byte; 0 still takes one byte.
        max(1, (64 - value.leadingZeroBitCount + 6) / 7)
    }

    /// The size of a length-delimited field with a one-byte tag (field numbers below 16).
    static func lengthDelimitedSize(_ length: Int) -> Int {
        1 + varintSize(UInt64(length)) + length
    }
}

/// Writes protobuf fields into memory already reserved for them; every write is checked
/// against the reservation.
struct ProtobufWriter {
    let out: UnsafeMutableRawBufferPointer
    private(set) var index = 0

    init(out: UnsafeMutableRawBufferPointer) {
        self.out = out
    }

    mutating func byte(_ byte: UInt8) {
        precondition(index < out.count, "protobuf encoding overruns its reservation")
        out.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
        index += 1
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            byte(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        byte(UInt8(value))
    }

    mutating func tag(field: UInt64, wireType: UInt64) {
        varint(field << 3 | wireType)
    }

    mutating func bytes(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count <= out.count - index, "protobuf encoding overruns its reservation")
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        (out.baseAddress! + index).copyMemory(from: source, byteCount: bytes.count)
        index += bytes.count
    }

    mutating func string(_ string: String, field: UInt64) {
        var string = string
        tag(field: field, wireType: Protobuf.lengthDelimited)
        varint(UInt64(string.utf8.count))
        string.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
    }
}

/// Reads protobuf fields from bytes in memory, checking every read against their end.
struct ProtobufReader {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { index >= bytes.count }

    /// The bytes not read yet, as `Data`.
    var data: Data { Data(UnsafeRawBufferPointer(rebasing: bytes[index...])) }

    /// The field number and wire type of the next field if its number is above `last` (or
    /// repeats `last` and is `repeatable`); `nil` otherwise, or if the key is malformed.
    mutating func key(after last: inout UInt64, repeatable: UInt64? = nil) -> (field: UInt64, wireType: UInt64)? {
        guard let key = varint() else { return nil }
        let field = key >> 3
        guard field > last || (field == last && field == repeatable) else { return nil }
        last = field
        return (field, key & 7)
    }

    /// A varint of at most 64 bits, or `nil` if truncated or longer.
    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if shift == 63, byte > 1 { return nil }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }

    /// The next length-delimited field's bytes, as a reader of their own, or `nil` if its
    /// length overruns.
    mutating func lengthDelimited() -> ProtobufReader? {
        guard let length = varint(), length <= UInt64(bytes.count - index) else { return nil }
        let field = ProtobufReader(UnsafeRawBufferPointer(rebasing: bytes[index..<index + Int(length)]))
        index += Int(length)
        return field
    }

    /// A length-delimited UTF-8 string, or `nil` if it overruns or is not valid UTF-8.
    mutating func string() -> String? {
        guard let field = lengthDelimited() else { return nil }
        let text = field.bytes.assumingMemoryBound(to: UInt8.self)
        // Method names and metadata keys are ASCII: then there is nothing to validate (the
        // generic validating initializer looks up type metadata on every call).
        if text.allSatisfy({ $0 < 0x80 }) { return String(decoding: text, as: UTF8.self) }
        return String(validating: text, as: UTF8.self)
    }
}
