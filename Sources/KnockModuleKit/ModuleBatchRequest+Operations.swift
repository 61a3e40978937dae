extension ModuleBatchRequest.Operation {
    /// A put of `record` in a batch, only if its stored version is `expectedVersion` (0: only
    /// if new; `nil`: regardless).
    public static func put(_ record: ModuleRecord, expectedVersion: UInt64?) -> Self {
        var put = ModulePutRequest()
        put.record = record
        if let expectedVersion { put.expectedVersion = expectedVersion }
        var operation = Self()
        operation.put = put
        return operation
    }

    /// A delete of `key` in `collection`, in a batch.
    public static func delete(collection: String, key: String) -> Self {
        var delete = ModuleDeleteRequest()
        delete.collection = collection
        delete.key = key
        var operation = Self()
        operation.delete = delete
        return operation
    }
}
