/// Runs CPU-heavy work (reading a roster, merging a district's plan) on Swift's global executor
/// rather than the connection's event loop its handler may be running on, so other calls on that
/// connection and loop are not held up meanwhile.
func offTheEventLoop<Result: Sendable>(_ work: @Sendable () throws -> Result) async throws -> Result {
    try await withTaskExecutorPreference(globalConcurrentExecutor) {
        try work()
    }
}
