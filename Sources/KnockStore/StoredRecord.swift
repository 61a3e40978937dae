import Foundation

/// One record of a module, as stored.
public struct StoredRecord: Sendable, Hashable {
    /// The collection the record is in.
    public var collection: String
    /// The record's key, unique in its collection.
    public var key: String
    /// The record's bytes, as the module wrote them.
    public var value: [UInt8]
    /// The record's indexed fields: what ``KnockDatabase/query(module:collection:where:limit:after:)``
    /// matches on.
    public var index: [String: String]
    /// The record's version: 1 when first written, one more at each write.
    public var version: UInt64
    /// When the record was last written (to the millisecond).
    public var updatedAt: Date

    /// Creates a record value.
    /// - Parameters:
    ///   - collection: The collection.
    ///   - key: The key.
    ///   - value: The bytes.
    ///   - index: The indexed fields.
    ///   - version: The version.
    ///   - updatedAt: The time of the last write.
    public init(collection: String, key: String, value: [UInt8], index: [String: String], version: UInt64, updatedAt: Date) {
        self.collection = collection
        self.key = key
        self.value = value
        self.index = index
        self.version = version
        self.updatedAt = updatedAt
    }
}
