import Synchronization

/// Facts a method keeps in its store that rarely change and come back with every visit (which
/// community a member works in, which community a grid belongs to), remembered in memory once
/// stored, so that a visit bringing nothing new costs no read of the store.
///
/// Only for facts the module alone writes and that each visit states afresh: if the store
/// changes behind this memory (another process of the same module), the next visit stating a
/// different value reads and writes again. Bounded: past `capacity` facts it starts afresh.
public final class LearnedFacts: Sendable {
    private let facts = Mutex<[String: String]>([:])
    private let capacity: Int

    /// An empty memory.
    /// - Parameter capacity: How many facts it holds before it forgets them all.
    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Whether this process stored `value` as `key` (and nothing else since).
    public func knows(_ key: String, is value: String) -> Bool {
        facts.withLock { $0[key] == value }
    }

    /// Remembers that the store holds `value` as `key`.
    public func remember(_ key: String, is value: String) {
        facts.withLock { facts in
            if facts.count >= capacity, facts[key] == nil { facts.removeAll(keepingCapacity: true) }
            facts[key] = value
        }
    }

    /// Makes sure the store holds `value` as `key`: nothing at all if this process already saw
    /// it stored; otherwise `read`, and `write` only if what is stored differs.
    /// - Parameters:
    ///   - key: The fact (`members/m-1`).
    ///   - value: What it is now (`qinghe`).
    ///   - read: Reads what the store holds.
    ///   - write: Stores `value`.
    /// - Throws: What `read` or `write` throws (then nothing is remembered).
    public func keep(_ key: String, as value: String, read: () async throws -> String?, write: () async throws -> Void) async throws {
        if knows(key, is: value) { return }
        if try await read() != value { try await write() }
        remember(key, is: value)
    }
}
