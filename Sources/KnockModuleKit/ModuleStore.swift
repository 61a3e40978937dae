import Foundation
import SwiftProtobuf

/// A module's own records, kept by the host and namespaced by module id: a module can neither
/// see nor change another module's records. Records live in collections, have a key, a value,
/// indexed fields for queries, and a version for optimistic concurrency.
public protocol ModuleStore: Sendable {
    /// Writes a record.
    /// - Parameters:
    ///   - record: Collection, key, value and indexed fields (version and time are set by the store).
    ///   - expectedVersion: Write only if the stored version is this (0: only if new); `nil` to
    ///     write regardless.
    /// - Returns: The record's new version.
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` on a version mismatch, `INVALID_ARGUMENT`
    ///   for a bad collection, key or index.
    func put(_ record: ModuleRecord, expectedVersion: UInt64?) async throws -> UInt64

    /// Reads a record.
    /// - Parameters:
    ///   - collection: The collection.
    ///   - key: The key.
    /// - Returns: The record, or `nil`.
    /// - Throws: ``RPCError``.
    func get(collection: String, key: String) async throws -> ModuleRecord?

    /// Finds records whose indexed fields equal every pair of `where`, in key order.
    /// - Parameters:
    ///   - collection: The collection.
    ///   - where: Indexed field values to match.
    ///   - limit: At most this many (1 to 1000).
    ///   - after: Continue after this key.
    /// - Returns: The records and, if more match, the key to continue after.
    /// - Throws: ``RPCError``.
    func query(collection: String, where: [String: String], limit: Int, after: String?) async throws -> (records: [ModuleRecord], next: String?)

    /// Deletes a record.
    /// - Parameters:
    ///   - collection: The collection.
    ///   - key: The key.
    /// - Returns: Whether a record was deleted.
    /// - Throws: ``RPCError``.
    func delete(collection: String, key: String) async throws -> Bool

    /// Applies puts and deletes all together, or none of them.
    /// - Parameter operations: The writes, in order.
    /// - Returns: The new version of each put, in order (0 for deletes).
    /// - Throws: ``RPCError``; on error nothing was written.
    func batch(_ operations: [ModuleBatchRequest.Operation]) async throws -> [UInt64]
}

extension ModuleStore {
    /// Writes a protobuf message as a record.
    /// - Parameters:
    ///   - message: The message to store.
    ///   - collection: The collection.
    ///   - key: The key.
    ///   - index: Indexed fields.
    ///   - expectedVersion: Optimistic concurrency, as for ``put(_:expectedVersion:)``.
    /// - Returns: The new version.
    /// - Throws: ``RPCError``.
    @discardableResult
    public func put(_ message: some SwiftProtobuf.Message, collection: String, key: String, index: [String: String] = [:], expectedVersion: UInt64? = nil) async throws -> UInt64 {
        try await put(ModuleRecord.make(message, collection: collection, key: key, index: index), expectedVersion: expectedVersion)
    }

    /// Reads a record as a protobuf message.
    /// - Parameters:
    ///   - type: The message type stored.
    ///   - collection: The collection.
    ///   - key: The key.
    /// - Returns: The message, or `nil`.
    /// - Throws: ``RPCError``, `DATA_LOSS` if the stored bytes are not a `type`.
    public func get<M: SwiftProtobuf.Message>(_ type: M.Type, collection: String, key: String) async throws -> M? {
        guard let record = try await get(collection: collection, key: key) else { return nil }
        return try record.decode(type)
    }

    /// All records matching `where`, following continuation keys, as protobuf messages.
    /// - Parameters:
    ///   - type: The message type stored.
    ///   - collection: The collection.
    ///   - where: Indexed field values to match.
    /// - Returns: The messages in key order.
    /// - Throws: ``RPCError``.
    public func all<M: SwiftProtobuf.Message>(_ type: M.Type, collection: String, where: [String: String] = [:]) async throws -> [M] {
        var messages: [M] = []
        var after: String?
        repeat {
            let page = try await query(collection: collection, where: `where`, limit: 1_000, after: after)
            messages += try page.records.map { try $0.decode(type) }
            after = page.next
        } while after != nil
        return messages
    }
}

extension ModuleRecord {
    /// A record holding `message`.
    /// - Parameters:
    ///   - message: The message.
    ///   - collection: The collection.
    ///   - key: The key.
    ///   - index: Indexed fields.
    /// - Throws: ``RPCError`` `INTERNAL` if the message cannot be serialized.
    public static func make(_ message: some SwiftProtobuf.Message, collection: String, key: String, index: [String: String] = [:]) throws -> ModuleRecord {
        var record = ModuleRecord()
        record.collection = collection
        record.key = key
        record.index = index
        do {
            record.value = try message.serializedBytes()
        } catch {
            throw RPCError(code: .internal, message: "\(collection)/\(key): the record cannot be serialized: \(error)")
        }
        return record
    }

    /// The value as a protobuf message.
    /// - Parameter type: The message type stored.
    /// - Throws: ``RPCError`` `DATA_LOSS` if the bytes are not a `type`.
    public func decode<M: SwiftProtobuf.Message>(_ type: M.Type) throws -> M {
        do {
            return try M(serializedBytes: value)
        } catch {
            throw RPCError(code: .dataLoss, message: "\(collection)/\(key) is not a valid \(M.protoMessageName): \(error)")
        }
    }
}
