extension GroupCommit {
    /// Which requests wait, and whether a writer is draining them: the rules of group commit
    /// without the database.
    ///
    /// Every request joins the queue. The first to arrive while nobody writes starts the writer,
    /// which takes up to ``maximumBatch`` queued requests into one transaction at a time, in
    /// arrival order, until the queue is empty; then it stops, and the next arrival starts it
    /// again. So at most one batch is written at a time, and no request waits for more than the
    /// batch in progress and its own.
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

        /// What the arrival of a request calls for.
        enum Arrival: Equatable {
            /// Nobody was writing: start the writer (it is now counted as writing).
            case startWriter
            /// The writer at work takes the request in a later batch.
            case wait
        }

        /// A request arrives and is queued.
        mutating func arrive(_ request: Request) -> Arrival {
            queue.append(request)
            if writing { return .wait }
            writing = true
            return .startWriter
        }

        /// The writer's next batch: up to ``maximumBatch`` queued requests, in arrival order,
        /// which leave the queue; or `nil` when nothing waits, and the writer stops.
        mutating func nextBatch() -> [Request]? {
            precondition(writing, "only the writer takes a batch")
            guard !queue.isEmpty else {
                writing = false
                return nil
            }
            let count = min(queue.count, maximumBatch)
            let batch = Array(queue.prefix(count))
            queue.removeFirst(count)
            return batch
        }

        /// How many requests wait.
        var waiting: Int { queue.count }

        /// Whether the writer is at work.
        var isWriting: Bool { writing }
    }
}
