/// The limits the store checks before it touches the database. A request over any of them fails
/// with ``StoreError/Code/invalidArgument`` and writes nothing.
///
/// Lengths are in bytes of UTF-8. No name, key or indexed value may contain the NUL character
/// (PostgreSQL text cannot hold it).
public enum StoreLimits {
    /// A module id: 1 to 128 bytes.
    public static let moduleIDBytes = 1...128
    /// A collection name: 1 to 128 bytes.
    public static let collectionBytes = 1...128
    /// A record key: 1 to 128 bytes.
    public static let keyBytes = 1...128
    /// An indexed field's name: 1 to 64 bytes.
    public static let fieldNameBytes = 1...64
    /// An indexed field's value: 0 to 1024 bytes (index entries must fit a database index row).
    public static let fieldValueBytes = 0...1024
    /// At most 32 indexed fields per record, and at most 32 conditions per query.
    public static let maximumIndexedFields = 32
    /// A record's value: at most 1 MiB.
    public static let maximumValueBytes = 1 << 20
    /// A query page: 1 to 1000 records.
    public static let queryLimit = 1...1000
    /// A batch: at most 1000 writes.
    public static let maximumBatchWrites = 1000
    /// A batch: at most 16 MiB of values in all.
    public static let maximumBatchValueBytes = 16 << 20
}
