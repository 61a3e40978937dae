import Foundation

/// Modules' own records: collections of keyed records with indexed fields and versions, kept
/// apart per module. Every call names the module; a module's records are invisible to every
/// call naming another (the host names the module from the caller's identity, never from what
/// a module sends).
extension KnockDatabase {
    /// Writes a record: creates it at version 1, or replaces its value and indexed fields and
    /// adds one to its version.
    /// - Parameters:
    ///   - module: The module whose record it is.
    ///   - collection: The collection (1 to 128 bytes).
    ///   - key: The key in the collection (1 to 128 bytes).
    ///   - value: The bytes to keep (at most 1 MiB).
    ///   - index: Fields to find the record by (at most 32; names 1 to 64 bytes, values at most
    ///     1024). They replace the record's previous fields.
    ///   - expectedVersion: Write only if the record is at this version; `0`: only if it does
    ///     not exist; `nil`: whatever is stored.
    /// - Returns: The record's new version.
    /// - Throws: ``StoreError`` `invalidArgument` for a limit broken, `versionConflict` if
    ///   `expectedVersion` does not match, `unavailable` if the database cannot be reached. On
    ///   any error nothing was written.
    @discardableResult
    public func put(
        module: String, collection: String, key: String, value: [UInt8], index: [String: String] = [:],
        expectedVersion: UInt64? = nil
    ) async throws -> UInt64 {
        try StoreLimits.checkModule(module)
        try StoreLimits.checkAddress(collection: collection, key: key)
        try StoreLimits.checkContent(collection: collection, key: key, value: value, index: index, expectedVersion: expectedVersion)
        let now = Date()
        return try await translatingErrors("put \(module):\(collection)/\(key)") {
            // A version that does not match is found by the first statement, which then wrote
            // nothing: no savepoint needed.
            try await engine.write(isolation: .refusesBeforeWriting) { database in
                try await RecordTables.put(
                    module: module, collection: collection, key: key, value: value, index: index,
                    expectedVersion: expectedVersion, now: now, on: database
                )
            }
        }
    }

    /// Reads a record.
    /// - Parameters:
    ///   - module: The module whose record it is.
    ///   - collection: The collection.
    ///   - key: The key.
    /// - Returns: The record, or `nil` if the module has none at that key.
    /// - Throws: ``StoreError`` `invalidArgument` for a malformed name, `unavailable` if the
    ///   database cannot be reached.
    public func get(module: String, collection: String, key: String) async throws -> StoredRecord? {
        try StoreLimits.checkModule(module)
        try StoreLimits.checkAddress(collection: collection, key: key)
        return try await translatingErrors("get \(module):\(collection)/\(key)") {
            try await engine.withReadSession { database in
                try await RecordTables.get(module: module, collection: collection, key: key, on: database)
            }
        }
    }

    /// Reads, in one statement, the records at `key` in several modules' collections: what
    /// methods read for every visit, keyed by the resident's id.
    /// - Parameters:
    ///   - key: The key.
    ///   - collections: The collections to look in, by module (each module sees only its own).
    /// - Returns: The records found, by module; a module without any is absent.
    /// - Throws: ``StoreError`` `invalidArgument` for a malformed name, `unavailable` if the
    ///   database cannot be reached.
    public func records(at key: String, in collections: [String: [String]]) async throws -> [String: [StoredRecord]] {
        for (module, names) in collections {
            try StoreLimits.checkModule(module)
            for collection in names { try StoreLimits.checkAddress(collection: collection, key: key) }
        }
        return try await translatingErrors("records at \(key) of \(collections.count) modules") {
            try await engine.withReadSession { database in
                try await RecordTables.records(at: [key], in: collections, on: database)[key] ?? [:]
            }
        }
    }

    /// Finds a module's records whose indexed fields equal every pair of `where`, in key order
    /// (byte order of the keys' UTF-8), a page at a time.
    ///
    /// Each page is read in one statement. Records written between pages appear in a later
    /// page if their key comes after the page's last.
    /// - Parameters:
    ///   - module: The module whose records to search.
    ///   - collection: The collection.
    ///   - where: Indexed field values to match (at most 32); empty for the whole collection.
    ///   - limit: At most this many records (1 to 1000).
    ///   - after: Only keys after this one: the previous page's ``QueryPage`` `nextAfter`.
    /// - Returns: The records and, if more match, the key to continue after.
    /// - Throws: ``StoreError`` `invalidArgument` for a limit broken, `unavailable` if the
    ///   database cannot be reached.
    public func query(
        module: String, collection: String, where conditions: [String: String] = [:], limit: Int = 100,
        after: String? = nil
    ) async throws -> QueryPage {
        try StoreLimits.checkModule(module)
        try StoreLimits.checkQuery(collection: collection, where: conditions, limit: limit, after: after)
        return try await translatingErrors("query \(module):\(collection)") {
            try await engine.withReadSession { database in
                try await RecordTables.query(
                    module: module, collection: collection, where: conditions, limit: limit, after: after, on: database
                )
            }
        }
    }

    /// Deletes a record and its index entries.
    /// - Parameters:
    ///   - module: The module whose record it is.
    ///   - collection: The collection.
    ///   - key: The key.
    /// - Returns: Whether there was a record to delete.
    /// - Throws: ``StoreError`` `invalidArgument` for a malformed name, `unavailable` if the
    ///   database cannot be reached.
    @discardableResult
    public func delete(module: String, collection: String, key: String) async throws -> Bool {
        try StoreLimits.checkModule(module)
        try StoreLimits.checkAddress(collection: collection, key: key)
        return try await translatingErrors("delete \(module):\(collection)/\(key)") {
            // Nothing to refuse: no savepoint needed.
            try await engine.write(isolation: .refusesBeforeWriting) { database in
                try await RecordTables.delete(module: module, collection: collection, key: key, on: database)
            }
        }
    }

    /// Applies writes in order in one transaction: all of them, or none.
    /// - Parameters:
    ///   - module: The module whose records they are.
    ///   - operations: The writes (at most 1000, with at most 16 MiB of values in all). A later
    ///     write sees the earlier ones: a put's expected version may count a put before it.
    /// - Returns: For each write in order, the put's new version, or 0 for a delete.
    /// - Throws: ``StoreError`` as ``put(module:collection:key:value:index:expectedVersion:)``,
    ///   its message naming the write at fault (`batch write 3: …`); nothing was written.
    @discardableResult
    public func batch(module: String, operations: [RecordWrite]) async throws -> [UInt64] {
        try StoreLimits.checkModule(module)
        try StoreLimits.checkBatch(operations)
        guard !operations.isEmpty else { return [] }
        let now = Date()
        return try await translatingErrors("batch of \(operations.count) writes for \(module)") {
            try await engine.write(holding: .batches(module: module), isolation: .savepoint) { database in
                var versions: [UInt64] = []
                versions.reserveCapacity(operations.count)
                for (position, operation) in operations.enumerated() {
                    do {
                        switch operation {
                        case .put(let collection, let key, let value, let index, let expectedVersion):
                            versions.append(try await RecordTables.put(
                                module: module, collection: collection, key: key, value: value, index: index,
                                expectedVersion: expectedVersion, now: now, on: database
                            ))
                        case .delete(let collection, let key):
                            _ = try await RecordTables.delete(module: module, collection: collection, key: key, on: database)
                            versions.append(0)
                        }
                    } catch var error as StoreError {
                        error.message = "batch write \(position): \(error.message)"
                        throw error
                    }
                }
                return versions
            }
        }
    }
}
