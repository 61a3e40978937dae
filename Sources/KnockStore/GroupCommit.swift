import KnockDomain
import SQLKit
import Synchronization

/// Group commit: concurrent write requests share one transaction, so that one sync of the
/// write-ahead log makes a whole batch durable instead of one request each.
///
/// Requests queue. While any wait, one writer task drains them: it takes the queued requests (up
/// to a batch's maximum) into one transaction, runs each in a `SAVEPOINT` of its own, commits,
/// answers them, and takes the next batch. It runs on the executor the group commit was given
/// (the writing connection's own thread), so from one statement to the next, and from one batch
/// to the next, it waits for no other task. A request that throws is rolled back to its
/// savepoint and gets its own error; the others commit. Every caller is resumed only after
/// `COMMIT` has returned: what it is told was written is durable. (A grouped item may also
/// name who hears of its value as soon as it is written, to start what needs it while the batch
/// commits; its caller still returns only once the batch has committed.) If the transaction itself
/// fails (it cannot begin, a rollback to a savepoint fails, `COMMIT` fails), nothing of the
/// batch was written and every request gets that error.
///
/// A request's work must not keep the database past its return, and should only read and write
/// (no transaction control of its own). A request is not abandoned when its task is cancelled:
/// once submitted it is written, or fails, like the others; the writer task is nobody's child,
/// so no caller's cancellation reaches its statements.
///
/// A savepoint costs two statements. A request may do without (``Isolation/refusesBeforeWriting``)
/// when it refuses (throws ``DomainError``, or ``StoreError`` `versionConflict`) only before it
/// has written anything: its refusal then needs no rollback. Any other error it throws may come
/// after a write, so it fails its whole batch: nothing of the batch is written, and every
/// request in it gets that error.
final class GroupCommit: Sendable {
    /// Whether a request runs in a savepoint of its own.
    enum Isolation: Sendable {
        /// In a savepoint: whatever it throws, its writes are rolled back and the batch goes on.
        case savepoint
        /// Without: it refuses (``DomainError``, ``StoreError`` `versionConflict`) only before
        /// writing anything; any other error it throws fails its batch.
        case refusesBeforeWriting
    }

    /// What a request runs.
    private enum Work: Sendable {
        /// Its own reads and writes.
        case single(isolation: Isolation, run: @Sendable (any SQLDatabase) async throws -> any Sendable)
        /// An item written together with the batch's other items of the same group, by one call
        /// of `write` (a visit among the visits arriving together: one statement for all), and
        /// who hears of its value once written, before the batch commits.
        case grouped(group: String, item: any Sendable, write: GroupWrite, written: (@Sendable (any Sendable) -> Void)?)
    }

    /// Writes a group's items in the batch's transaction and answers each: a value, or a
    /// refusal (``DomainError``) for an item it wrote nothing of. Throwing ends the batch.
    typealias GroupWrite = @Sendable ([any Sendable], any SQLDatabase) async throws -> [Result<any Sendable, any Error>]

    /// One request: its work, and how to answer it.
    private struct Request: Sendable {
        let work: Work
        let answer: CheckedContinuation<Result<any Sendable, any Error>, Never>
    }

    /// Runs a batch's statements in one transaction: begins it, runs the body, commits.
    typealias Transaction = @Sendable (
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> [Result<any Sendable, any Error>]
    ) async throws -> [Result<any Sendable, any Error>]

    /// The most requests written in one transaction.
    static let defaultMaximumBatch = 256

    private let state: Mutex<StateMachine<Request>>
    /// Where the writer task runs (`nil`: the global executor).
    private let executor: (any TaskExecutor)?

    /// A group commit with nothing queued.
    /// - Parameters:
    ///   - maximumBatch: The most requests in one transaction.
    ///   - executor: Where the writer task runs: best on the thread that runs the writing
    ///     connection's statements.
    init(maximumBatch: Int = GroupCommit.defaultMaximumBatch, executor: (any TaskExecutor)? = nil) {
        state = Mutex(StateMachine(maximumBatch: maximumBatch))
        self.executor = executor
    }

    /// Runs `work` in a savepoint of a transaction shared with other requests, and returns once
    /// that transaction has committed.
    /// - Parameters:
    ///   - isolation: Whether the work runs in a savepoint of its own.
    ///   - transaction: Begins, runs and commits one transaction (used if this request's task
    ///     writes the batch; every request of one group commit must pass the same).
    ///   - work: The request's reads and writes.
    /// - Returns: What `work` returned.
    /// - Throws: What `work` threw (its writes were rolled back, the batch's others were not),
    ///   or the transaction's error (nothing of the batch was written).
    func submit<Value: Sendable>(
        isolation: Isolation = .savepoint,
        in transaction: @escaping Transaction,
        _ work: @escaping @Sendable (any SQLDatabase) async throws -> Value
    ) async throws -> Value {
        try await submit(.single(isolation: isolation, run: { try await work($0) }), in: transaction) as! Value
    }

    /// Runs `item` with the other items of `group` that arrive meanwhile, in one call of `write`
    /// within a transaction shared with other requests, and returns once it has committed.
    /// - Parameters:
    ///   - item: What to write.
    ///   - group: Names the items `write` takes together (one item type per group).
    ///   - transaction: As for ``submit(isolation:in:_:)``.
    ///   - written: Hears of the item's value as soon as `write` has written it, before the
    ///     transaction commits (which may still fail): on the writer's thread, so it must only
    ///     hand the value on.
    ///   - write: Writes items of the group; returns one result per item, in order: the item's
    ///     value, or a ``DomainError`` for an item it wrote nothing of. What it throws fails the
    ///     whole batch.
    /// - Returns: The item's value.
    /// - Throws: The item's refusal, or the transaction's error (nothing of the batch was written).
    func submit<Item: Sendable, Value: Sendable>(
        grouped item: Item, group: String, in transaction: @escaping Transaction,
        written: (@Sendable (Value) -> Void)? = nil,
        _ write: @escaping @Sendable ([Item], any SQLDatabase) async throws -> [Result<Value, any Error>]
    ) async throws -> Value {
        let erased: GroupWrite = { items, database in
            // Items of one group are of one type: `submit(grouped:)` is the only way in.
            let answers = try await write(items.map { $0 as! Item }, database)
            guard answers.count == items.count else {
                throw StoreError(code: .internal, message: "group \(group) answered \(answers.count) of \(items.count) items")
            }
            return answers.map { answer in answer.map { $0 as any Sendable } }
        }
        let hook = written.map { written in { @Sendable (value: any Sendable) in written(value as! Value) } }
        return try await submit(.grouped(group: group, item: item, write: erased, written: hook), in: transaction) as! Value
    }

    /// How many requests wait for a batch (not counting the batch being written).
    var waiting: Int { state.withLock { $0.waiting } }

    /// Queues `erased`, starts the writer if nobody writes, and waits for the result.
    private func submit(_ erased: Work, in transaction: @escaping Transaction) async throws -> any Sendable {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<any Sendable, any Error>, Never>) in
            let arrival = state.withLock { $0.arrive(Request(work: erased, answer: continuation)) }
            if arrival == .startWriter {
                Task(executorPreference: executor) { await self.drain(in: transaction) }
            }
        }
        // The value comes back as the work built it: the callers' casts cannot fail.
        return try result.get()
    }

    /// The writer: writes batches until nothing waits.
    private func drain(in transaction: Transaction) async {
        while let batch = state.withLock({ $0.nextBatch() }) {
            let results = await write(batch.map(\.work), in: transaction)
            for (request, result) in zip(batch, results) {
                request.answer.resume(returning: result)
            }
        }
    }

    /// Writes one batch in one transaction.
    /// - Returns: Each work's result, in order.
    private func write(_ works: [Work], in transaction: Transaction) async -> [Result<any Sendable, any Error>] {
        do {
            return try await transaction { database in
                var results = [Result<any Sendable, any Error>?](repeating: nil, count: works.count)
                for (index, work) in works.enumerated() where results[index] == nil {
                    switch work {
                    case .single(let isolation, let run):
                        results[index] = try await Self.run(isolation, run, on: database)
                    case .grouped(let group, _, let write, _):
                        // The whole group at its first item's turn: the batch's requests are
                        // concurrent, so any order of them is one they could have had.
                        var members: [(index: Int, written: (@Sendable (any Sendable) -> Void)?)] = []
                        var items: [any Sendable] = []
                        for (other, candidate) in works.enumerated().dropFirst(index) {
                            if case .grouped(group, let item, _, let written) = candidate {
                                members.append((other, written))
                                items.append(item)
                            }
                        }
                        for (member, answer) in zip(members, try await write(items, database)) {
                            results[member.index] = answer
                            if case .success(let value) = answer { member.written?(value) }
                        }
                    }
                }
                return results.map { $0 ?? .failure(StoreError(code: .internal, message: "a request of the batch was not run")) }
            }
        } catch {
            return Array(repeating: .failure(error), count: works.count)
        }
    }

    /// Runs one request's work in the batch's transaction: between `SAVEPOINT` and `RELEASE`
    /// (rolled back to the savepoint if it throws), or bare if it refuses before writing.
    /// - Returns: The work's value or error.
    /// - Throws: When the transaction must end: a savepoint failed, or a bare request threw
    ///   something other than a refusal.
    private static func run(
        _ isolation: Isolation, _ run: @Sendable (any SQLDatabase) async throws -> any Sendable, on database: any SQLDatabase
    ) async throws -> Result<any Sendable, any Error> {
        switch isolation {
        case .refusesBeforeWriting:
            do {
                return .success(try await run(database))
            } catch let refusal as DomainError {
                return .failure(refusal)
            } catch let refusal as StoreError where refusal.code == .versionConflict {
                return .failure(refusal)
            }
        case .savepoint:
            try await database.execute("SAVEPOINT knock_request")
            do {
                let value = try await run(database)
                try await database.execute("RELEASE knock_request")
                return .success(value)
            } catch {
                try await database.execute("ROLLBACK TO knock_request")
                try await database.execute("RELEASE knock_request")
                return .failure(error)
            }
        }
    }
}
