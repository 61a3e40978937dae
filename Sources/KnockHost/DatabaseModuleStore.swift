import Foundation
public import KnockModuleKit
public import KnockStore
import SwiftProtobuf

/// A module's store in the host's database: the ``ModuleStore`` a module sees, namespaced by its
/// id, on ``KnockDatabase``'s module records.
public struct DatabaseModuleStore: ModuleStore {
    let database: KnockDatabase
    let module: String

    /// The store of `module` in `database`.
    /// - Parameters:
    ///   - database: The host's database.
    ///   - module: The module id.
    public init(database: KnockDatabase, module: String) {
        self.database = database
        self.module = module
    }

    public func put(_ record: ModuleRecord, expectedVersion: UInt64?) async throws -> UInt64 {
        try await translating {
            try await database.put(module: module, collection: record.collection, key: record.key, value: [UInt8](record.value),
                                   index: record.index, expectedVersion: expectedVersion)
        }
    }

    public func get(collection: String, key: String) async throws -> ModuleRecord? {
        try await translating {
            try await database.get(module: module, collection: collection, key: key).map(Self.record)
        }
    }

    public func query(collection: String, where: [String: String], limit: Int, after: String?) async throws -> (records: [ModuleRecord], next: String?) {
        try await translating {
            let page = try await database.query(module: module, collection: collection, where: `where`, limit: limit, after: after)
            return (page.items.map(Self.record), page.nextAfter)
        }
    }

    public func delete(collection: String, key: String) async throws -> Bool {
        try await translating { try await database.delete(module: module, collection: collection, key: key) }
    }

    public func batch(_ operations: [ModuleBatchRequest.Operation]) async throws -> [UInt64] {
        let writes: [RecordWrite] = try operations.map { operation in
            switch operation.kind {
            case .put(let put):
                .put(collection: put.record.collection, key: put.record.key, value: [UInt8](put.record.value), index: put.record.index,
                     expectedVersion: put.hasExpectedVersion ? put.expectedVersion : nil)
            case .delete(let delete):
                .delete(collection: delete.collection, key: delete.key)
            case nil:
                throw RPCError(code: .invalidArgument, message: "a batch operation is neither a put nor a delete")
            }
        }
        return try await translating { try await database.batch(module: module, operations: writes) }
    }

    static func record(_ stored: StoredRecord) -> ModuleRecord {
        var record = ModuleRecord()
        record.collection = stored.collection
        record.key = stored.key
        record.value = Data(stored.value)
        record.index = stored.index
        record.version = stored.version
        record.updatedAt = Google_Protobuf_Timestamp(date: stored.updatedAt)
        return record
    }

    private func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            let code: StatusCode = switch error.code {
            case .invalidArgument: .invalidArgument
            case .versionConflict: .failedPrecondition
            case .unavailable: .unavailable
            default: .internal
            }
            throw RPCError(code: code, message: error.message)
        }
    }
}
