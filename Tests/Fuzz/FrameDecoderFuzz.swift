// A libFuzzer target for Knock's frame decoder and the payload readers behind it. Built and run
// by scripts/fuzz-frame-decoder (swiftc -sanitize=fuzzer,address); not part of the package's own
// build, which has no libFuzzer.
import KnockWire
import NIOCore

/// Feeds the input to a `FrameDecoder` in chunks (the first byte picks the role and the chunk
/// size), reads every decoded frame's payload the way the RPC layer does, and stops at the first
/// error, as a connection would. Anything but a clean error or a frame is a finding: a crash, a
/// trap, an overflow, memory growing past the frame limit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameDecoder(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let role: ConnectionRole = bytes[0] & 1 == 0 ? .acceptor : .dialer
    let chunk = Int(bytes[0] >> 1) + 1
    let decoder = FrameDecoder(role: role, maxFrameSize: 16_384)
    var buffer = ByteBuffer()
    var input = bytes.dropFirst()
    while !input.isEmpty {
        let piece = input.prefix(chunk)
        input = input.dropFirst(piece.count)
        buffer.writeBytes(piece)
        do {
            while let frame = try decoder.nextFrame(from: &buffer) {
                precondition(frame.payload.readableBytes <= 16_384, "a frame larger than the limit was decoded")
                if frame.type == .request { _ = try? frame.requestParts() }
                if frame.type == .end { _ = try? frame.decodeStatus() }
            }
        } catch {
            return 0
        }
        precondition(buffer.readableBytes <= 16_384 + 64, "the decoder buffered more than one frame's worth")
    }
    return 0
}
