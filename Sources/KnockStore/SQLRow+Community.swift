import Foundation
import KnockDomain
import SQLKit

/// Reading the community tables' column types back, the same on both engines.
extension SQLRow {
    func string(_ column: String) throws -> String {
        try decode(column: column, as: String.self)
    }

    func optionalString(_ column: String) throws -> String? {
        try decodeNil(column: column) ? nil : string(column)
    }

    func int(_ column: String) throws -> Int {
        Int(try decode(column: column, as: Int64.self))
    }

    func optionalInt(_ column: String) throws -> Int? {
        try decodeNil(column: column) ? nil : int(column)
    }

    /// A time kept in milliseconds.
    func date(_ column: String) throws -> Date {
        Date(milliseconds: try decode(column: column, as: Int64.self))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try decodeNil(column: column) ? nil : date(column)
    }

    /// A value kept as its raw text (an enum of the domain).
    /// - Throws: ``StoreError`` `internal` for text the domain does not know.
    func value<Value: RawRepresentable>(_ column: String, as type: Value.Type) throws -> Value where Value.RawValue == String {
        let text = try string(column)
        guard let value = Value(rawValue: text) else {
            throw StoreError(code: .internal, message: "\(column) holds \"\(text)\", which is no \(Value.self)")
        }
        return value
    }

    func optionalValue<Value: RawRepresentable>(_ column: String, as type: Value.Type) throws -> Value? where Value.RawValue == String {
        try decodeNil(column: column) ? nil : value(column, as: type)
    }

    func provenance(_ column: String) throws -> Provenance {
        let text = try string(column)
        guard let provenance = Provenance(text: text) else {
            throw StoreError(code: .internal, message: "\(column) holds \"\(text)\", which names nobody")
        }
        return provenance
    }

    func optionalProvenance(_ column: String) throws -> Provenance? {
        try decodeNil(column: column) ? nil : provenance(column)
    }

    func optionalOwner(_ column: String) throws -> NeedOwner? {
        guard let text = try optionalString(column) else { return nil }
        do {
            return try NeedOwner(text: text)
        } catch {
            throw StoreError(code: .internal, message: "\(column) holds \"\(text)\", which is no owner", cause: error)
        }
    }

    func day(_ column: String) throws -> CalendarDay {
        let text = try string(column)
        do {
            return try CalendarDay(parsing: text)
        } catch {
            throw StoreError(code: .internal, message: "\(column) holds \"\(text)\", which is no day", cause: error)
        }
    }

    /// A value kept as JSON text.
    func json<Value: Decodable>(_ column: String, as type: Value.Type) throws -> Value {
        try StoredJSON.decode(type, from: string(column))
    }

    /// A set kept as `,a,b,` (sorted), so one member can be matched with `LIKE '%,a,%'`.
    func set<Value: RawRepresentable & Hashable>(_ column: String, of type: Value.Type) throws -> Set<Value> where Value.RawValue == String {
        let text = try string(column)
        var values: Set<Value> = []
        for part in text.split(separator: ",") {
            guard let value = Value(rawValue: String(part)) else {
                throw StoreError(code: .internal, message: "\(column) holds \"\(part)\", which is no \(Value.self)")
            }
            values.insert(value)
        }
        return values
    }
}
