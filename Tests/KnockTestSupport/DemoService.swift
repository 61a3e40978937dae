import Foundation
public import KnockRPC
import KnockWire
import Synchronization

/// The knock.demo service of PROTOCOL.md: Echo, Countdown, Sleep and Fail. Tests use it as a
/// real service, and `probe` records what the handlers saw.
public struct DemoService: RPCService {
    public static let echo = RPCMethod<DemoEchoRequest, DemoEchoResponse>("knock.demo.Echo")
    public static let countdown = RPCMethod<DemoCountdownRequest, DemoCountdownResponse>("knock.demo.Countdown", kind: .serverStream)
    public static let sleep = RPCMethod<DemoSleepRequest, DemoSleepResponse>("knock.demo.Sleep")
    public static let fail = RPCMethod<DemoFailRequest, DemoFailResponse>("knock.demo.Fail")

    /// What the handlers observed.
    public let probe: DemoProbe

    public init(probe: DemoProbe = DemoProbe()) {
        self.probe = probe
    }

    public func registerMethods(with router: inout RPCRouter) {
        let probe = self.probe
        router.register(Self.echo) { request, _ in
            var response = DemoEchoResponse()
            response.text = request.text
            response.payload = request.payload
            return response
        }
        router.register(Self.countdown) { request, _, writer in
            let padding = Data(repeating: 0x6B, count: Int(request.payloadSize))
            var value = request.from
            while value > 0 {
                var message = DemoCountdownResponse()
                message.value = value
                message.payload = padding
                try await writer.write(message)
                probe.streamed(1)
                value -= 1
            }
        }
        router.register(Self.sleep) { request, _ in
            probe.started(request.tag)
            do {
                try await Task.sleep(for: .milliseconds(Int(request.milliseconds)))
            } catch {
                probe.cancelled(request.tag)
                throw error
            }
            var response = DemoSleepResponse()
            response.completed = true
            return response
        }
        router.register(Self.fail) { request, _ in
            throw RPCError(code: StatusCode(rawValue: request.code), message: request.message)
        }
    }
}

/// Thread-safe record of what demo handlers saw.
public final class DemoProbe: Sendable {
    private struct State {
        var started: Set<String> = []
        var cancelled: Set<String> = []
        var streamed = 0
    }
    private let state = Mutex(State())

    public init() {}

    func started(_ tag: String) { state.withLock { _ = $0.started.insert(tag) } }
    func cancelled(_ tag: String) { state.withLock { _ = $0.cancelled.insert(tag) } }
    func streamed(_ count: Int) { state.withLock { $0.streamed += count } }

    /// Whether a Sleep with `tag` started.
    public func didStart(_ tag: String) -> Bool { state.withLock { $0.started.contains(tag) } }
    /// Whether a Sleep with `tag` saw its task cancelled.
    public func wasCancelled(_ tag: String) -> Bool { state.withLock { $0.cancelled.contains(tag) } }
    /// Countdown messages written so far (accepted by the runtime).
    public var streamedCount: Int { state.withLock { $0.streamed } }

    /// Waits until `condition` holds or `timeout` passes; returns whether it held.
    public func wait(timeout: Duration = .seconds(5), until condition: @Sendable (DemoProbe) -> Bool) async -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition(self)
    }
}

extension DemoEchoRequest {
    public init(text: String) {
        self.init()
        self.text = text
    }
}

extension DemoSleepRequest {
    public init(milliseconds: UInt32, tag: String) {
        self.init()
        self.milliseconds = milliseconds
        self.tag = tag
    }
}
