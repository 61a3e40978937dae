import ArgumentParser
import Foundation
import Histogram
import KnockAllocator
import KnockPKI
import KnockRPC
import KnockTLS
import KnockTestSupport
import NIOCore
import NIOPosix

/// `knock-bench rpc`: unary calls over mutual TLS on loopback against a raw length-prefixed echo
/// through the same TLS handler, the ceiling with no RPC layer.
///
/// Besides calls/s and latency, each cell reports the CPU time per message on the host's
/// event-loop thread and in the rest of the process (the callers, and Swift's global executor
/// in `global` mode). On a machine shared with other work calls/s move with the other load;
/// CPU per message much less, so it is the figure to compare between builds, and the host
/// column is the server's cost alone.
///
/// A cell's measurements are taken in rounds that alternate raw, Knock on `global` and Knock
/// on `loop`, and each column sums its rounds: when the machine's speed drifts during a run,
/// the drift falls on both sides of the ratio alike instead of on whichever ran last.
struct RPCBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc",
        abstract: "Unary calls/s and latency over mutual TLS, against a raw TLS echo."
    )

    @Option(help: "Seconds measured per cell and column, split over the rounds.") var duration: Double = 3
    @Option(help: "Rounds per cell, alternating raw and Knock.") var rounds: Int = 3
    @Option(help: "Seconds of warm-up per cell.") var warmup: Double = 0.5
    @Option(help: "Payload sizes in bytes.") var payloads: String = "64,4096"
    @Option(help: "Calls in flight.") var inflight: String = "1,64,256"
    @Option(help: "Connection counts.") var connections: String = "1,8"
    @Option(help: "Only run: rpc, raw or both.") var only: String = "both"
    @Option(help: "Where Knock's calling tasks run: global (Swift's default executor), loop (the connection's event loop), or both.") var client: String = "both"

    func run() async throws {
        let deployment = try TestDeployment()
        let serverTLS = try deployment.serverContext()
        let clientTLS = try deployment.clientContext(try deployment.client(KnockIdentity(kind: .member, id: "bench")))

        var router = RPCRouter()
        let descriptor = RPCMethodDescriptor(name: "bench.Echo", kind: .unary, requestType: "bytes", responseType: "bytes")
        router.register(raw: descriptor) { request, _, responses in
            try await responses.send(request)
        }
        let configuration = ConnectionConfiguration(maxConcurrentCalls: 1_024, keepaliveInterval: nil)
        // The host side and the client side each get one event-loop thread, as if on two
        // machines; both the raw echo and Knock use the same two loops.
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await RPCServer.bind(host: "127.0.0.1", port: 0, tls: serverTLS, configuration: configuration, router: router, group: serverGroup)
        let serving = Task { try await server.run() }
        let rawServer = try await RawEcho.bind(tls: serverTLS, group: serverGroup)

        let cores = ProcessInfo.processInfo.activeProcessorCount
        print("knock-bench rpc: mutual TLS 1.3 on loopback, system OpenSSL, \(cores) cores, \(ProcessAllocator.description), \(duration) s per cell and column in \(rounds) alternating rounds, one event-loop thread for the host side and one for the clients")
        print("CPU µs per message: on the host's event-loop thread / everywhere else (callers, Swift's global executor).")
        print("| payload | connections | in flight | raw TLS echo msg/s | raw p50 µs | raw p99 µs | raw CPU µs | Knock caller on | Knock calls/s | Knock p50 µs | Knock p99 µs | Knock CPU µs | Knock / raw |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for payload in Self.list(payloads) {
            for connectionCount in Self.list(connections) {
                for depth in Self.list(inflight) where depth >= connectionCount {
                    let modes = only == "raw" ? ["-"] : (client == "both" ? ["global", "loop"] : [client])
                    let slice = duration / Double(max(rounds, 1))
                    var raw: Measurement?
                    var knock: [String: Measurement] = [:]
                    for _ in 0..<max(rounds, 1) {
                        if only != "rpc" {
                            let round = try await RawEcho.measure(group: clientGroup, hostLoop: serverGroup.next(), port: rawServer.port, tls: clientTLS, payload: payload, connections: connectionCount, inflight: depth, warmup: warmup, duration: slice)
                            raw = raw.map { $0 + round } ?? round
                        }
                        for mode in modes where mode != "-" {
                            let round = try await measureRPC(group: clientGroup, hostLoop: serverGroup.next(), port: server.localAddress.port!, tls: clientTLS, payload: payload, connections: connectionCount,
                                                             inflight: depth, duration: slice, configuration: configuration, onEventLoop: mode == "loop")
                            knock[mode] = knock[mode].map { $0 + round } ?? round
                        }
                    }
                    for mode in modes {
                        let rpc = knock[mode]
                        let ratio = (raw != nil && rpc != nil) ? String(format: "%.2f", rpc!.rate / raw!.rate) : "-"
                        print("| \(payload) B | \(connectionCount) | \(depth) | \(raw?.rateText ?? "-") | \(raw?.p50 ?? "-") | \(raw?.p99 ?? "-") | \(raw?.cpuText ?? "-") | \(mode) | \(rpc?.rateText ?? "-") | \(rpc?.p50 ?? "-") | \(rpc?.p99 ?? "-") | \(rpc?.cpuText ?? "-") | \(ratio) |")
                    }
                }
            }
        }
        server.drain()
        try await serving.value
        try await rawServer.channel.close()
    }

    private func measureRPC(group: MultiThreadedEventLoopGroup, hostLoop: any EventLoop, port: Int, tls: TLSContext, payload: Int, connections: Int, inflight: Int, duration: Double, configuration: ConnectionConfiguration, onEventLoop: Bool) async throws -> Measurement {
        var opened: [RPCConnection] = []
        for _ in 0..<connections {
            opened.append(try await RPCConnection.connect(to: "127.0.0.1", port: port, tls: tls, configuration: configuration, group: group))
        }
        let pool = opened
        let request = ByteBuffer(repeating: 0x6B, count: payload)
        let start = ContinuousClock.now
        let measureFrom = start + .milliseconds(Int(warmup * 1_000))
        let end = measureFrom + .milliseconds(Int(duration * 1_000))
        let cpuFrom = CPUTime.sample(hostLoop: hostLoop, at: .now() + .milliseconds(Int64(warmup * 1_000)))
        let cpuTo = CPUTime.sample(hostLoop: hostLoop, at: .now() + .milliseconds(Int64((warmup + duration) * 1_000)))
        let result = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for worker in 0..<inflight {
                let connection = pool[worker % pool.count]
                group.addTask(executorPreference: onEventLoop ? connection.taskExecutor : nil) {
                    // Each caller appends its latencies to a list of its own, and they go into
                    // the histogram at the end. A histogram per caller (up to 2,048 of them,
                    // each tens of KiB) missed the cache on every record: 8% of the callers'
                    // CPU, a cost of the benchmark, not of the calls. The raw echo records
                    // into one histogram per connection, which stays in the cache.
                    var latencies: [UInt64] = []
                    latencies.reserveCapacity(4_096)
                    while true {
                        let sent = ContinuousClock.now
                        if sent >= end { break }
                        let response = try await connection.callRaw("bench.Echo", request)
                        precondition(response.readableBytes == payload)
                        if sent >= measureFrom {
                            latencies.append(UInt64((ContinuousClock.now - sent).nanoseconds))
                        }
                    }
                    return latencies
                }
            }
            var total = 0
            var merged = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
            for try await latencies in group {
                total += latencies.count
                for latency in latencies { _ = merged.record(latency) }
            }
            return (total, merged)
        }
        for connection in pool { connection.close() }
        let cpu = try await cpuTo.get() - cpuFrom.get()
        return Measurement(count: result.0, seconds: duration, histogram: result.1, cpu: cpu)
    }

    static func list(_ text: String) -> [Int] {
        text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}

/// Calls (or echoes) counted over a measured interval, with their latencies and the CPU time
/// spent meanwhile.
struct Measurement {
    var count: Int
    var seconds: Double
    var histogram: Histogram<UInt64>
    var cpu: CPUTime

    var rate: Double { Double(count) / seconds }
    var rateText: String { String(format: "%.0f", rate) }
    /// CPU µs per call on the host's event-loop thread, and everywhere else (the callers).
    var cpuText: String {
        let host = Double(cpu.hostThread.nanoseconds) / 1_000 / Double(max(count, 1))
        let rest = Double((cpu.process - cpu.hostThread).nanoseconds) / 1_000 / Double(max(count, 1))
        return String(format: "%.2f / %.2f", host, rest)
    }
    /// Two measurements of the same cell taken one after the other, as one.
    static func + (left: Measurement, right: Measurement) -> Measurement {
        var histogram = left.histogram
        histogram.add(right.histogram)
        return Measurement(count: left.count + right.count, seconds: left.seconds + right.seconds, histogram: histogram,
                           cpu: CPUTime(hostThread: left.cpu.hostThread + right.cpu.hostThread, process: left.cpu.process + right.cpu.process))
    }

    var p50: String { String(format: "%.0f", Double(histogram.valueAtPercentile(50)) / 1_000) }
    var p99: String { String(format: "%.0f", Double(histogram.valueAtPercentile(99)) / 1_000) }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
