import Foundation
import NIOCore
import Testing

/// One file of `Protocol/vectors/`: a frame as hex and what it must decode to.
struct GoldenVector: Decodable, Sendable, CustomTestStringConvertible {
    struct Fields: Decodable, Sendable {
        var type: String
        var type_byte: UInt8
        var flags: UInt8
        var call_id: UInt32
        var length: Int
        var payload_hex: String
        var hello: JSONValue?
        var request: RequestFields?
        var status: JSONValue?
        var go_away: JSONValue?
        var credit: UInt32?
        var ping: String?
    }

    struct RequestFields: Decodable, Sendable {
        var header_length: Int
        var header: JSONValue?
        var message_hex: String?
    }

    struct ExpectedError: Decodable, Sendable {
        var code: String
        var connection_error: String
        var at_eof: Bool
    }

    struct CallError: Decodable, Sendable {
        var code: String
        var status: String
    }

    var name: String
    var description: String
    var receiver: String
    var max_frame_size: Int
    var hex: String
    var valid: Bool
    var frame: Fields?
    var error: ExpectedError?
    var call_error: CallError?

    var testDescription: String { name }

    var bytes: ByteBuffer { ByteBuffer(bytes: Array(hexString: hex)) }

    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/vectors")

    static func loadAll() throws -> [GoldenVector] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        return try files.map { file in
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            return try JSONDecoder().decode(GoldenVector.self, from: data)
        }
    }

    static let all: [GoldenVector] = (try? loadAll()) ?? []
    static var valid: [GoldenVector] { all.filter(\.valid) }
    static var invalid: [GoldenVector] { all.filter { !$0.valid } }
}

/// Any JSON value, kept so a nested object can be handed back to SwiftProtobuf's JSON parser.
indirect enum JSONValue: Decodable, Sendable {
    case object([String: JSONValue])
    case array([JSONValue])
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let object = try? container.decode([String: JSONValue].self) {
            self = .object(object)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Int64.self) {
            self = .integer(number)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    private var foundation: Any {
        switch self {
        case .object(let object): object.mapValues(\.foundation)
        case .array(let array): array.map(\.foundation)
        case .bool(let bool): bool
        case .integer(let integer): integer
        case .number(let number): number
        case .string(let string): string
        }
    }

    var jsonString: String {
        let data = try! JSONSerialization.data(withJSONObject: foundation, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    init(hexString: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hexString.utf8.count / 2)
        var index = hexString.startIndex
        while index < hexString.endIndex {
            let next = hexString.index(index, offsetBy: 2)
            bytes.append(UInt8(hexString[index..<next], radix: 16)!)
            index = next
        }
        self = bytes
    }

    var hexString: String {
        map { String(format: "%02x", $0) }.joined()
    }
}

extension ByteBuffer {
    var hexString: String { Array(readableBytesView).hexString }
}
