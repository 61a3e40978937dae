import Foundation
public import KnockModuleKit
import SwiftProtobuf
import Synchronization

/// A module store in memory, for testing modules without a host. It follows the contract of
/// the host's store (versions, expected versions, indexed queries in key order, atomic
/// batches) so tests see what a module sees in production.
public final class MemoryModuleStore: ModuleStore {
    private let records = Mutex<[String: [String: ModuleRecord]]>([:])

    public init() {}

    public func put(_ record: ModuleRecord, expectedVersion: UInt64?) async throws -> UInt64 {
        try records.withLock { try Self.apply(put: record, expected: expectedVersion, to: &$0) }
    }

    public func get(collection: String, key: String) async throws -> ModuleRecord? {
        records.withLock { $0[collection]?[key] }
    }

    public func query(collection: String, where: [String: String], limit: Int, after: String?) async throws -> (records: [ModuleRecord], next: String?) {
        let matching = records.withLock { all in
            (all[collection] ?? [:]).values
                .filter { record in `where`.allSatisfy { record.index[$0.key] == $0.value } }
                .filter { after == nil || $0.key > after! }
                .sorted { $0.key < $1.key }
        }
        let page = Array(matching.prefix(max(1, min(limit, 1_000))))
        return (page, matching.count > page.count ? page.last?.key : nil)
    }

    public func delete(collection: String, key: String) async throws -> Bool {
        records.withLock { $0[collection]?.removeValue(forKey: key) != nil }
    }

    public func batch(_ operations: [ModuleBatchRequest.Operation]) async throws -> [UInt64] {
        try records.withLock { all in
            var copy = all
            var versions: [UInt64] = []
            for operation in operations {
                switch operation.kind {
                case .put(let put):
                    versions.append(try Self.apply(put: put.record, expected: put.hasExpectedVersion ? put.expectedVersion : nil, to: &copy))
                case .delete(let delete):
                    copy[delete.collection]?.removeValue(forKey: delete.key)
                    versions.append(0)
                case nil:
                    throw RPCError(code: .invalidArgument, message: "an empty batch operation")
                }
            }
            all = copy
            return versions
        }
    }

    private static func apply(put record: ModuleRecord, expected: UInt64?, to all: inout [String: [String: ModuleRecord]]) throws -> UInt64 {
        guard !record.collection.isEmpty, !record.key.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "a record needs a collection and a key")
        }
        let current = all[record.collection]?[record.key]?.version ?? 0
        if let expected, expected != current {
            throw RPCError(code: .failedPrecondition, message: "\(record.collection)/\(record.key) is at version \(current), not \(expected)")
        }
        var stored = record
        stored.version = current + 1
        stored.updatedAt = Google_Protobuf_Timestamp(date: Date())
        all[record.collection, default: [:]][record.key] = stored
        return stored.version
    }
}
