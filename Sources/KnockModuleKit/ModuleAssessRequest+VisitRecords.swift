import SwiftProtobuf

extension ModuleAssessRequest {
    /// The record of `collection` in the module's store keyed by the visited resident's id.
    ///
    /// A module that reads such a record for every visit names the collection in its
    /// descriptor's `visitRecords`; the host then reads it with the visit and sends it along, and
    /// this answers from the request without asking the store. When the host did not send the
    /// collection (it does not know the feature, it asks again after the module answered
    /// `ABORTED`, or the records were too large to send along), this reads the store.
    ///
    /// What the host sent is what was stored a moment before the module was asked. A write that
    /// depends on it names its version (`expectedVersion`), as after any read: if another call
    /// changed the record meanwhile, the write fails and the module can read afresh.
    /// - Parameters:
    ///   - collection: The collection.
    ///   - store: The module's store, for a collection the host did not look up.
    /// - Returns: The record, or `nil` if the collection holds none for the resident.
    /// - Throws: ``RPCError`` from the store.
    public func visitRecord(in collection: String, from store: any ModuleStore) async throws -> ModuleRecord? {
        if hasVisitRecords, visitRecords.collections.contains(collection) {
            return visitRecords.found.first { $0.collection == collection && $0.key == resident.id }
        }
        return try await store.get(collection: collection, key: resident.id)
    }

    /// ``visitRecord(in:from:)`` decoded as `type`.
    /// - Throws: ``RPCError`` from the store, or `DATA_LOSS` if the record is not a `type`.
    public func visitRecord<M: SwiftProtobuf.Message>(_ type: M.Type, in collection: String, from store: any ModuleStore) async throws -> M? {
        try await visitRecord(in: collection, from: store)?.decode(type)
    }

    /// The request without the records the host sent along: what a module reads afresh from,
    /// after a write of its own found that a record changed meanwhile.
    public var withoutVisitRecords: ModuleAssessRequest {
        var request = self
        request.clearVisitRecords()
        return request
    }
}
