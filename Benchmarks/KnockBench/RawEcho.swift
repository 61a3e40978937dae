import Foundation
import Histogram
import KnockTLS
import NIOCore
import NIOPosix

/// The ceiling: length-prefixed messages echoed through the same TLS handler, with no RPC layer.
/// The client keeps a fixed number of messages in flight from its event loop.
enum RawEcho {
    struct Server {
        let channel: any Channel
        var port: Int { channel.localAddress!.port! }
    }

    static func bind(tls: TLSContext, group: any EventLoopGroup) async throws -> Server {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try TLSHandler(context: tls))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LengthPrefixed()))
                    try channel.pipeline.syncOperations.addHandler(EchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return Server(channel: channel)
    }

    static func measure(group: any EventLoopGroup, hostLoop: any EventLoop, port: Int, tls: TLSContext, payload: Int, connections: Int, inflight: Int, warmup: Double, duration: Double) async throws -> Measurement {
        let start = NIODeadline.now()
        let measureFrom = start + .milliseconds(Int64(warmup * 1_000))
        let end = measureFrom + .milliseconds(Int64(duration * 1_000))
        let cpuFrom = CPUTime.sample(hostLoop: hostLoop, at: measureFrom)
        let cpuTo = CPUTime.sample(hostLoop: hostLoop, at: end)
        var results: [EventLoopFuture<(Int, Histogram<UInt64>)>] = []
        for index in 0..<connections {
            let depth = inflight / connections + (index < inflight % connections ? 1 : 0)
            let channel = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let promise = channel.eventLoop.makePromise(of: (Int, Histogram<UInt64>).self)
                        try channel.pipeline.syncOperations.addHandler(try TLSHandler(context: tls, serverName: "localhost"))
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LengthPrefixed()))
                        try channel.pipeline.syncOperations.addHandler(LoadHandler(payload: payload, depth: depth, measureFrom: measureFrom, end: end, done: promise))
                        return (channel, promise.futureResult)
                    }
                }
            results.append(channel.1)
            channel.1.whenComplete { _ in channel.0.close(promise: nil) }
        }
        var total = 0
        var merged = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        for result in results {
            let (count, histogram) = try await result.get()
            total += count
            merged.add(histogram)
        }
        let cpu = try await cpuTo.get() - cpuFrom.get()
        return Measurement(count: total, seconds: duration, histogram: merged, cpu: cpu)
    }

    struct LengthPrefixed: ByteToMessageDecoder {
        typealias InboundOut = ByteBuffer
        mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self),
                  buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: 4)
            context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
            return .continue
        }
    }

    final class EchoHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let message = unwrapInboundIn(data)
            var out = context.channel.allocator.buffer(capacity: 4 + message.readableBytes)
            out.writeInteger(UInt32(message.readableBytes))
            out.writeImmutableBuffer(message)
            context.write(wrapOutboundOut(out), promise: nil)
        }
        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }
    }

    final class LoadHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let message: ByteBuffer
        let depth: Int
        let measureFrom: NIODeadline
        let end: NIODeadline
        let done: EventLoopPromise<(Int, Histogram<UInt64>)>
        var sentAt = CircularBuffer<NIODeadline>()
        var count = 0
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var finished = false

        init(payload: Int, depth: Int, measureFrom: NIODeadline, end: NIODeadline, done: EventLoopPromise<(Int, Histogram<UInt64>)>) {
            var message = ByteBuffer()
            message.writeInteger(UInt32(payload))
            message.writeRepeatingByte(0x6B, count: payload)
            self.message = message
            self.depth = depth
            self.measureFrom = measureFrom
            self.end = end
            self.done = done
        }

        func channelActive(context: ChannelHandlerContext) {
            for _ in 0..<depth { send(context) }
            context.flush()
            context.fireChannelActive()
        }

        private func send(_ context: ChannelHandlerContext) {
            sentAt.append(.now())
            context.write(wrapOutboundOut(message), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let now = NIODeadline.now()
            let sent = sentAt.removeFirst()
            if sent >= measureFrom, now <= end {
                count += 1
                _ = histogram.record(UInt64((now - sent).nanoseconds))
            }
            if now < end {
                send(context)
            } else if sentAt.isEmpty, !finished {
                finished = true
                done.succeed((count, histogram))
            }
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if !finished {
                finished = true
                done.fail(error)
            }
            context.close(promise: nil)
        }
    }
}
