import CoreMetrics
import Foundation
public import KnockModuleKit
import Metrics
import Prometheus

/// The host's metrics, through swift-metrics into its own Prometheus registry (no global
/// bootstrap, so libraries and tests do not collide): calls served by method and status, call
/// durations, connections, and each module's answered, failed and timed-out calls.
public final class HostMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    let modules: ModuleRegistry
    let connections: @Sendable () -> Int

    /// Creates the metrics of a host.
    /// - Parameters:
    ///   - modules: The module registry, read at every scrape.
    ///   - connections: The number of open connections, read at every scrape.
    public init(modules: ModuleRegistry, connections: @escaping @Sendable () -> Int) {
        self.modules = modules
        self.connections = connections
        self.factory = PrometheusMetricsFactory(registry: registry)
    }

    func called(method: String, code: StatusCode, seconds: Double) {
        Counter(label: "knock_rpc_calls_total", dimensions: [("method", method), ("code", code.name)], factory: factory).increment()
        Timer(label: "knock_rpc_call_duration_seconds", dimensions: [("method", method)], factory: factory)
            .recordNanoseconds(Int64(seconds * 1_000_000_000))
    }

    /// The metrics in Prometheus text format, with module counters and connections read now.
    public func exposition() -> String {
        Gauge(label: "knock_connections", factory: factory).record(connections())
        for entry in modules.entries {
            let id = entry.descriptor.id
            let health = modules.health(id)
            for (outcome, value) in [("answered", health.answered), ("failed", health.failed), ("timed_out", health.timedOut)] {
                Gauge(label: "knock_module_calls", dimensions: [("module", id), ("outcome", outcome)], factory: factory).record(value)
            }
            Gauge(label: "knock_module_up", dimensions: [("module", id), ("origin", entry.origin.label)], factory: factory)
                .record(entry.connection.channel.isActive ? 1 : 0)
        }
        return registry.emitToString()
    }

    /// An interceptor counting every call by method and status, and timing it. Method names
    /// the host does not serve are counted as `unknown`, so a client cannot grow the metrics
    /// without bound.
    /// - Parameter known: Whether the host serves a method name.
    public func interceptor(known: @escaping @Sendable (String) -> Bool) -> some ServerInterceptor {
        MetricsInterceptor(metrics: self, known: known)
    }
}

struct MetricsInterceptor: ServerInterceptor {
    let metrics: HostMetrics
    let known: @Sendable (String) -> Bool

    func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        let started = ContinuousClock.now
        let method = known(context.method) ? context.method : "unknown"
        do {
            try await next(context)
            metrics.called(method: method, code: .ok, seconds: Self.seconds(since: started))
        } catch {
            metrics.called(method: method, code: RPCError(wrapping: error).code, seconds: Self.seconds(since: started))
            throw error
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
