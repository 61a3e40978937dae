public import KnockModuleKit

/// A module linked into the host, whose strategy points (assess, plan, handle) the coordinator
/// calls directly (``LinkedConsultation``): no message is serialized, no byte crosses a socket,
/// no second event loop wakes. The rules are those of a call over the module's connection:
/// - the module's time limit ends the call with `DEADLINE_EXCEEDED`; its work is cancelled and
///   not waited for, so a module that ignores cancellation still costs only its own answer;
/// - a cancelled caller cancels the module's work;
/// - what the module throws comes back as an ``RPCError`` (`UNKNOWN` for an error that is not
///   one), as a handler's error does over a connection.
///
/// The module's work runs where its connection's handlers run (``executor``), so the modules'
/// work spreads over the event loops as before.
public struct LinkedModule: Sendable {
    /// The module's strategy points.
    public let points: StrategyPoints
    /// Where its work runs: the event loop of the module's end of its connection.
    let executor: EventLoopTaskExecutor

    /// Creates the link.
    /// - Parameters:
    ///   - points: The module's strategy points.
    ///   - executor: Where its work runs.
    public init(points: StrategyPoints, executor: EventLoopTaskExecutor) {
        self.points = points
        self.executor = executor
    }
}
