import Foundation

/// Lists and small structures kept as JSON text in one column.
enum StoredJSON {
    /// `value` as JSON text, keys sorted (so equal values are equal text).
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Reads JSON text written by ``encode(_:)``.
    /// - Throws: ``StoreError`` `internal` if the text is not what was written.
    static func decode<Value: Decodable>(_ type: Value.Type, from text: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError(code: .internal, message: "a stored \(Value.self) cannot be read back", cause: error)
        }
    }

    /// A set as `,a,b,` (sorted): what ``SQLRow/set(_:of:)`` reads.
    static func set<Value: RawRepresentable>(_ values: some Sequence<Value>) -> String where Value.RawValue == String {
        "," + values.map(\.rawValue).sorted().joined(separator: ",") + ","
    }
}
