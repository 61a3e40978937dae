extension RPCError {
    /// Runs a write to the module store that expects a record's version, turning the store's
    /// answer to a version mismatch (`FAILED_PRECONDITION`) into `ABORTED` with `message`:
    /// another call changed the record meanwhile, and the caller may try again.
    /// - Parameters:
    ///   - message: What the caller is told ("case c-1 changed meanwhile; try again").
    ///   - write: The write.
    /// - Returns: What `write` returns.
    /// - Throws: `ABORTED` for a version mismatch; anything else `write` throws, as it is.
    public static func abortingOnVersionConflict<Value>(_ message: @autoclosure () -> String, _ write: () async throws -> Value) async throws -> Value {
        do {
            return try await write()
        } catch let error as RPCError where error.code == .failedPrecondition {
            throw RPCError(code: .aborted, message: message(), cause: error)
        }
    }

    /// Runs a read-modify-write again while it answers `ABORTED` (what it read changed before it
    /// wrote: two visits to one resident at once), reading afresh each time.
    /// - Parameters:
    ///   - attempts: How many times to run it at most.
    ///   - body: The read-modify-write, whose writes name the versions they read.
    /// - Returns: What `body` returns.
    /// - Throws: `ABORTED` if it still conflicts after `attempts`; anything else `body` throws.
    public static func retryingOnConflict<Value>(attempts: Int = 8, _ body: () async throws -> Value) async throws -> Value {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as RPCError where error.code == .aborted && attempt < attempts {
                attempt += 1
            }
        }
    }

    /// Checks an id a request names: 1 to `maximumBytes` bytes of UTF-8, without spaces or
    /// control characters.
    /// - Parameters:
    ///   - id: The id.
    ///   - field: The request field, for the error.
    ///   - optional: Whether an empty id is allowed.
    ///   - maximumBytes: The longest id.
    /// - Throws: `INVALID_ARGUMENT` naming `field`.
    public static func checkID(_ id: String, field: String, optional: Bool = false, maximumBytes: Int = 64) throws {
        if id.isEmpty {
            if optional { return }
            throw RPCError(code: .invalidArgument, message: "\(field): is required")
        }
        guard id.utf8.count <= maximumBytes, !id.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0 == "\u{7F}" }) else {
            throw RPCError(code: .invalidArgument, message: "\(field): '\(id)' is not an id (at most \(maximumBytes) bytes, no spaces or control characters)")
        }
    }
}
