extension StoreLimits {
    /// Checks a module id.
    /// - Throws: ``StoreError`` `invalidArgument`.
    static func checkModule(_ module: String) throws {
        try checkName(module, what: "module id", bytes: moduleIDBytes)
    }

    /// Checks a collection name and a key.
    /// - Throws: ``StoreError`` `invalidArgument`.
    static func checkAddress(collection: String, key: String) throws {
        try checkName(collection, what: "collection", bytes: collectionBytes)
        try checkName(key, what: "key in collection \(collection)", bytes: keyBytes)
    }

    /// Checks a write's value and indexed fields.
    /// - Throws: ``StoreError`` `invalidArgument`.
    static func checkContent(collection: String, key: String, value: [UInt8], index: [String: String], expectedVersion: UInt64?) throws {
        if let expectedVersion, expectedVersion > UInt64(Int64.max) {
            throw invalid("\(collection)/\(key): the expected version \(expectedVersion) is beyond any version the store keeps")
        }
        if value.count > maximumValueBytes {
            throw invalid("\(collection)/\(key): the value is \(value.count) bytes; at most \(maximumValueBytes) (1 MiB) are allowed")
        }
        try checkFields(index, what: "\(collection)/\(key): indexed field")
    }

    /// Checks a query's conditions and page size.
    /// - Throws: ``StoreError`` `invalidArgument`.
    static func checkQuery(collection: String, where conditions: [String: String], limit: Int, after: String?) throws {
        try checkName(collection, what: "collection", bytes: collectionBytes)
        try checkFields(conditions, what: "query on \(collection): field")
        guard queryLimit.contains(limit) else {
            throw invalid("query on \(collection): the limit is \(limit); it must be \(queryLimit.lowerBound) to \(queryLimit.upperBound)")
        }
        if let after {
            try checkName(after, what: "continuation key of the query on \(collection)", bytes: keyBytes)
        }
    }

    /// Checks a batch as a whole and each of its writes.
    /// - Throws: ``StoreError`` `invalidArgument` naming the first write at fault.
    static func checkBatch(_ writes: [RecordWrite]) throws {
        guard writes.count <= maximumBatchWrites else {
            throw invalid("the batch has \(writes.count) writes; at most \(maximumBatchWrites) are allowed")
        }
        var valueBytes = 0
        for (position, write) in writes.enumerated() {
            do {
                switch write {
                case .put(let collection, let key, let value, let index, let expectedVersion):
                    try checkAddress(collection: collection, key: key)
                    try checkContent(collection: collection, key: key, value: value, index: index, expectedVersion: expectedVersion)
                    valueBytes += value.count
                case .delete(let collection, let key):
                    try checkAddress(collection: collection, key: key)
                }
            } catch var error as StoreError {
                error.message = "batch write \(position): \(error.message)"
                throw error
            }
        }
        guard valueBytes <= maximumBatchValueBytes else {
            throw invalid("the batch's values add up to \(valueBytes) bytes; at most \(maximumBatchValueBytes) (16 MiB) are allowed")
        }
    }

    private static func checkFields(_ fields: [String: String], what: String) throws {
        guard fields.count <= maximumIndexedFields else {
            throw invalid("\(what)s: \(fields.count) given; at most \(maximumIndexedFields) are allowed")
        }
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            try checkName(name, what: "\(what) name", bytes: fieldNameBytes)
            let count = value.utf8.count
            guard fieldValueBytes.contains(count) else {
                throw invalid("\(what) \(name): the value is \(count) bytes; at most \(fieldValueBytes.upperBound) are allowed")
            }
            guard !value.utf8.contains(0) else {
                throw invalid("\(what) \(name): the value contains a NUL character")
            }
        }
    }

    private static func checkName(_ name: String, what: String, bytes: ClosedRange<Int>) throws {
        let count = name.utf8.count
        if count == 0 {
            throw invalid("the \(what) is empty")
        }
        guard bytes.contains(count) else {
            throw invalid("the \(what) is \(count) bytes; at most \(bytes.upperBound) are allowed")
        }
        guard !name.utf8.contains(0) else {
            throw invalid("the \(what) contains a NUL character")
        }
    }

    private static func invalid(_ message: String) -> StoreError {
        StoreError(code: .invalidArgument, message: message)
    }
}
