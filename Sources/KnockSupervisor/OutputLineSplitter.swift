/// Cuts a child's output stream into lines for the log, holding at most one line's worth of
/// bytes whatever the child writes.
///
/// Bytes are appended as they arrive from the pipe, in pieces of any size. A line ends at `\n`
/// (a `\r` before it is dropped). A line longer than `maximumLineLength` bytes is handed out as
/// soon as it reaches that length, marked as cut, and the rest of it, up to the next `\n`, is
/// thrown away. Bytes that are not UTF-8 come out as U+FFFD; a cut never splits a UTF-8
/// sequence.
struct OutputLineSplitter: Sendable {
    /// One line of output.
    struct Line: Hashable, Sendable {
        /// The line, without its line break.
        var text: String
        /// Whether the line was longer than the limit and this is only its beginning.
        var isTruncated: Bool
    }

    let maximumLineLength: Int
    /// The bytes of the line being assembled; never more than `maximumLineLength`.
    private var pending: [UInt8] = []
    /// Whether the current line was already handed out cut and its rest is being skipped.
    private var isSkippingRest = false

    /// - Parameter maximumLineLength: The most bytes of one line that are kept; at least 1.
    init(maximumLineLength: Int) {
        precondition(maximumLineLength >= 1, "maximumLineLength must be at least 1")
        self.maximumLineLength = maximumLineLength
        self.pending.reserveCapacity(min(maximumLineLength, 4096))
    }

    /// How many bytes of an unfinished line are held.
    var bufferedByteCount: Int {
        pending.count
    }

    /// Takes the next bytes of the stream and hands out every line they complete.
    mutating func append(_ bytes: UnsafeRawBufferPointer, emit: (Line) -> Void) {
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline ?? bytes.endIndex
            take(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), emit: emit)
            guard let newline else {
                return
            }
            endLine(emit: emit)
            start = newline + 1
        }
    }

    /// Hands out what is left when the stream ends without a final line break.
    mutating func finish(emit: (Line) -> Void) {
        if !pending.isEmpty {
            endLine(emit: emit)
        }
        isSkippingRest = false
    }

    /// Adds bytes that hold no line break to the current line.
    private mutating func take(_ bytes: UnsafeRawBufferPointer, emit: (Line) -> Void) {
        guard !isSkippingRest, !bytes.isEmpty else {
            return
        }
        let room = maximumLineLength - pending.count
        if bytes.count <= room {
            pending.append(contentsOf: bytes)
            return
        }
        pending.append(contentsOf: bytes[bytes.startIndex..<(bytes.startIndex + room)])
        // A cut must not split a UTF-8 sequence: if the first byte dropped continues a
        // sequence, drop that sequence's beginning too.
        let firstDropped = bytes[bytes.startIndex + room]
        if Self.isContinuationByte(firstDropped) {
            var keep = pending.count
            while keep > 0, Self.isContinuationByte(pending[keep - 1]) {
                keep -= 1
            }
            if keep > 0, pending[keep - 1] >= 0xC0 {
                keep -= 1
            }
            pending.removeSubrange(keep...)
        }
        emit(Line(text: String(decoding: pending, as: UTF8.self), isTruncated: true))
        pending.removeAll(keepingCapacity: true)
        isSkippingRest = true
    }

    /// The stream reached a line break.
    private mutating func endLine(emit: (Line) -> Void) {
        if isSkippingRest {
            isSkippingRest = false
            pending.removeAll(keepingCapacity: true)
            return
        }
        if pending.last == UInt8(ascii: "\r") {
            pending.removeLast()
        }
        emit(Line(text: String(decoding: pending, as: UTF8.self), isTruncated: false))
        pending.removeAll(keepingCapacity: true)
    }

    private static func isContinuationByte(_ byte: UInt8) -> Bool {
        byte & 0b1100_0000 == 0b1000_0000
    }
}
