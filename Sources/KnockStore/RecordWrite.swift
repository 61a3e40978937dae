/// One write of a ``KnockDatabase/batch(module:operations:)``.
public enum RecordWrite: Sendable, Hashable {
    /// Writes a record, as ``KnockDatabase/put(module:collection:key:value:index:expectedVersion:)``.
    case put(collection: String, key: String, value: [UInt8], index: [String: String] = [:], expectedVersion: UInt64? = nil)
    /// Deletes a record if it exists, as ``KnockDatabase/delete(module:collection:key:)``.
    case delete(collection: String, key: String)
}
