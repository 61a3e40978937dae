extension GroupCommit {
    /// Who writes next, and what waits: the rules of group commit without the database.
    ///
    /// A request either becomes the writer (no batch is being written) or joins the queue. The
    /// writer takes its own request and up to ``maximumBatch`` − 1 queued ones into one
    /// transaction. When it has committed, it hands the writer's role to the first request still
    /// queued, if any, which then writes the next batch with whatever queued up meanwhile. So
    /// at most one batch is written at a time, no request waits for more than the batch in
    /// progress and its own, and every request is answered exactly once: with its result when it
    /// was written in someone else's batch, or with the writer's role.
    struct StateMachine<Request> {
        /// The most requests written in one transaction.
        let maximumBatch: Int
        private var queue: [Request] = []
        private var writing = false

        /// A state machine with no writer and nothing queued.
        /// - Parameter maximumBatch: The most requests per transaction (at least 1).
        init(maximumBatch: Int) {
            precondition(maximumBatch >= 1, "a batch holds at least one request")
            self.maximumBatch = maximumBatch
        }

        /// What a request does on arrival.
        enum Arrival: Equatable {
            /// Nobody is writing: the request's task writes a batch now, its own request first.
            case write
            /// A batch is being written: the request waits in the queue.
            case wait
        }

        /// A request arrives. If it is to wait, it is queued; if it is to write, it is not (its
        /// task holds it).
        mutating func arrive(_ request: Request) -> Arrival {
            if writing {
                queue.append(request)
                return .wait
            }
            writing = true
            return .write
        }

        /// The queued requests the writer takes beside its own: up to ``maximumBatch`` − 1, in
        /// arrival order. They leave the queue.
        mutating func takeBatch() -> [Request] {
            precondition(writing, "only the writer takes a batch")
            let count = min(queue.count, maximumBatch - 1)
            let batch = Array(queue.prefix(count))
            queue.removeFirst(count)
            return batch
        }

        /// The writer has committed (or failed) its batch and answered its requests.
        /// - Returns: The queued request that writes next (it leaves the queue and must be told),
        ///   or `nil` when nothing waits and nobody writes any more.
        mutating func finishBatch() -> Request? {
            precondition(writing, "only the writer finishes a batch")
            guard !queue.isEmpty else {
                writing = false
                return nil
            }
            return queue.removeFirst()
        }

        /// How many requests wait.
        var waiting: Int { queue.count }

        /// Whether a batch is being written.
        var isWriting: Bool { writing }
    }
}
