import KnockWire
import NIOCore

/// The state of one connection: its phase, the calls in both directions, credit, and the bytes
/// waiting to be written. A pure value: every method changes the state and returns the
/// ``Effects`` the connection must carry out (resume a waiting task, flush, dispatch a request,
/// close), so it can be tested without a socket.
struct ConnectionStateMachine {
    enum Phase: Equatable {
        /// Our HELLO is sent; the peer's has not arrived.
        case awaitingHello
        /// Both HELLOs exchanged.
        case active
        /// The connection is closed; nothing more happens.
        case closed
    }

    /// A call this side started and has sent.
    struct OutgoingCall {
        var key: UInt64
        var kind: RPCMethodKind
        var continuation: UnsafeContinuation<ByteBuffer, any Error>?
        var response: ByteBuffer?
        var creditLeft: UInt32
        var timer: Scheduled<Void>?
    }

    /// A call this side started that waits for a free slot (the peer's concurrent-call limit)
    /// or for the peer's HELLO.
    struct PendingCall {
        var key: UInt64
        var header: WireRequestHeader
        var message: ByteBuffer
        var kind: RPCMethodKind
        var deadline: NIODeadline?
        var window: UInt32
    }

    /// The consumer side of a server stream this side started.
    struct ClientStream {
        /// The call's id once it is sent.
        var callID: UInt32?
        var buffered = CircularBuffer<ByteBuffer>()
        var waiter: UnsafeContinuation<ByteBuffer?, any Error>?
        var window: UInt32
        var consumedSinceGrant: UInt32 = 0
        var end: Result<Void, RPCError>?
    }

    /// A call the peer started that this side serves.
    struct IncomingCall {
        var kind: RPCMethodKind
        var credit: UInt32
        var writer: UnsafeContinuation<Void, any Error>?
        var cancellation: HandlerCancellation?
        var response: ByteBuffer?
        var timer: Scheduled<Void>?
    }

    /// What the connection must do after a state change, outside the lock.
    struct Effects {
        var flush = false
        var flushNow = false
        var unary = EffectList<(UnsafeContinuation<ByteBuffer, any Error>, Result<ByteBuffer, RPCError>)>()
        var stream = EffectList<(UnsafeContinuation<ByteBuffer?, any Error>, Result<ByteBuffer?, RPCError>)>()
        var writers = EffectList<(UnsafeContinuation<Void, any Error>, Result<Void, RPCError>)>()
        var cancellations = EffectList<(HandlerCancellation, callID: UInt32)>()
        var timers = EffectList<Scheduled<Void>>()
        /// Requests were queued for the serving loop (see ``takeDispatchSignal()``).
        var dispatch = false
        var timeoutIncoming = EffectList<(callID: UInt32, deadline: NIODeadline)>()
        var close: CloseReason?
        var ready = false
        var finishRequests = false

        mutating func merge(_ other: consuming Effects) {
            var other = other
            flush = flush || other.flush
            flushNow = flushNow || other.flushNow
            unary.append(draining: &other.unary)
            stream.append(draining: &other.stream)
            writers.append(draining: &other.writers)
            cancellations.append(draining: &other.cancellations)
            timers.append(draining: &other.timers)
            dispatch = dispatch || other.dispatch
            timeoutIncoming.append(draining: &other.timeoutIncoming)
            close = close ?? other.close
            ready = ready || other.ready
            finishRequests = finishRequests || other.finishRequests
        }
    }

    /// Why and how the connection closes.
    enum CloseReason: Equatable {
        /// Both sides are done: close quietly (after a graceful GOAWAY).
        case graceful
        /// A protocol violation or failure: the GOAWAY is already queued; close after writing it.
        case error(ConnectionErrorCode, String)
    }

    let role: ConnectionRole
    let local: ConnectionConfiguration
    let serves: Bool
    private(set) var phase: Phase = .awaitingHello
    private(set) var peerHello: WireHello?
    private(set) var peerMaxFrameSize = WireLimits.minimumMaxFrameSize
    /// The extensions this side's HELLO lists: the ones it knows. An extension is in force when
    /// the peer's HELLO lists it too.
    private let offeredExtensions: Set<String>
    /// Whether `knock.unary-end-ok` is in force (PROTOCOL.md §4.7).
    private(set) var unaryEndOK = false
    private var peerMaxConcurrentCalls = WireLimits.defaultMaxConcurrentCalls

    private var nextCallID: UInt32
    private var outgoing = CallTable<OutgoingCall>()
    private var pending = CircularBuffer<PendingCall>()
    private var streams: [UInt64: ClientStream] = [:]

    private var incoming = CallTable<IncomingCall>()
    private var lastPeerCallID: UInt32 = 0

    /// The highest peer call id we accept after sending GOAWAY; `nil` until we send one.
    private(set) var goAwaySent: UInt32?
    /// The highest of our call ids the peer accepts after its GOAWAY; `nil` until received.
    private(set) var goAwayReceived: UInt32?
    private var closeError: RPCError?

    private(set) var output = ByteBuffer()
    private var flushScheduled = false
    /// When the last call ended (for the idle timeout), as NIODeadline uptime.
    private(set) var lastActivity = NIODeadline.now()

    init(role: ConnectionRole, configuration: ConnectionConfiguration, serves: Bool) {
        self.role = role
        self.local = configuration
        self.serves = serves
        self.nextCallID = role.firstCallID
        let hello = configuration.hello
        offeredExtensions = Set(hello.extensions.map(\.name))
        output.writeFrame(.hello(hello))
        flushScheduled = false
    }

    // MARK: Queries

    /// Calls open in either direction.
    var openCalls: Int { outgoing.count + incoming.count + pending.count }

    /// Whether the connection still accepts new outgoing calls.
    var isClosed: Bool { phase == .closed }

    // MARK: Output

    /// Appends a frame to the output (callers have checked its size against the peer's maximum).
    /// Returns whether a flush must be scheduled.
    private mutating func emit(_ frame: Frame, into effects: inout Effects) {
        output.writeFrame(frame)
        emitted(into: &effects)
    }

    /// Flush bookkeeping after a frame was appended to `output`.
    ///
    /// Frames produced in one event-loop tick go out together: the first schedules a flush at
    /// the end of the tick. Each flush costs a TLS record and a `write` system call, so flushing
    /// every few frames (this was every 16) spent more time in flushes than in the calls; only
    /// once a batch fills ``flushThreshold`` bytes does it go out at once, so the peer can start
    /// on it while this side makes the next.
    private mutating func emitted(into effects: inout Effects) {
        if output.readableBytes - flushedUpTo >= Self.flushThreshold {
            flushedUpTo = output.readableBytes
            effects.flushNow = true
        } else if !flushScheduled {
            flushScheduled = true
            effects.flush = true
        }
    }

    /// Bytes gathered before a flush is due at once: one full TLS record of plaintext.
    static let flushThreshold = 16_384
    /// How much of `output` has already been asked to flush now (see ``emitted(into:)``).
    private var flushedUpTo = 0

    /// Takes the bytes to write; the next emitted frame schedules a new flush.
    mutating func takeOutput() -> ByteBuffer? {
        flushScheduled = false
        flushedUpTo = 0
        guard output.readableBytes > 0 else { return nil }
        let bytes = output
        output = ByteBuffer()
        output.reserveCapacity(min(bytes.capacity, 65_536))
        return bytes
    }

    // MARK: Starting calls (caller side)

    /// Requests received and not yet taken by a serving task.
    private var toDispatch = CircularBuffer<IncomingRequest>()
    /// Requests arrived since the serving loop was last told.
    private var dispatchSignal = false

    /// Whether requests arrived since the last call: the serving loop is to be woken.
    mutating func takeDispatchSignal() -> Bool {
        defer { dispatchSignal = false }
        return dispatchSignal
    }

    /// How many requests wait for a serving task.
    var queuedRequests: Int { toDispatch.count }

    /// Takes the next waiting request whose call is still open (calls that ended while they
    /// waited are dropped) and connects the serving task to it: if the call ends before its
    /// handler does, the handler is cancelled.
    mutating func nextRequest(for cancellation: HandlerCancellation) -> IncomingRequest? {
        while let request = toDispatch.popFirst() {
            guard let index = incoming.index(forKey: request.callID) else { continue }
            cancellation.begin(callID: request.callID)
            incoming[slot: index].cancellation = cancellation
            return request
        }
        return nil
    }

    /// Starts (or queues) a call. The unary continuation, if given, is resumed when it ends.
    ///
    /// `key` is unique on the connection (``RPCConnection`` counts them without the lock).
    /// `cancelled` is whether the caller's task was cancelled, read while holding the lock: a
    /// cancellation that comes later runs ``abandon(key:error:)``, which finds the call.
    mutating func startCall(
        key: UInt64,
        cancelled: Bool = false,
        header: WireRequestHeader,
        message: ByteBuffer,
        kind: RPCMethodKind,
        deadline: NIODeadline?,
        window: UInt32,
        continuation: UnsafeContinuation<ByteBuffer, any Error>?,
        timer: Scheduled<Void>?
    ) -> Effects {
        var effects = Effects()
        if cancelled {
            fail(continuation, timer, RPCError(code: .cancelled, message: "the call was cancelled"), into: &effects)
            return effects
        }
        if let refusal = refusalForNewCall() {
            fail(continuation, timer, refusal, into: &effects)
            if kind == .serverStream { streams[key] = ClientStream(window: window, end: .failure(refusal)) }
            return effects
        }
        if kind == .serverStream { streams[key] = ClientStream(window: window) }
        if phase == .awaitingHello || outgoing.count >= peerMaxConcurrentCalls || !pending.isEmpty {
            pending.append(PendingCall(key: key, header: header, message: message, kind: kind, deadline: deadline, window: window))
            if let continuation { pendingContinuations[key] = (continuation, timer) }
            return effects
        }
        // Sent at once from the caller's parts: a call that does not wait is not copied into a
        // PendingCall first.
        send(key: key, header: header, message: message, kind: kind, deadline: deadline, window: window,
             continuation: continuation, timer: timer, into: &effects)
        return effects
    }

    /// Continuations of queued unary calls, by key.
    private var pendingContinuations: [UInt64: (UnsafeContinuation<ByteBuffer, any Error>, Scheduled<Void>?)] = [:]

    private func refusalForNewCall() -> RPCError? {
        if phase == .closed {
            return closeError ?? RPCError(code: .unavailable, message: "the connection is closed")
        }
        if goAwayReceived != nil || goAwaySent != nil {
            return RPCError(code: .unavailable, message: "the connection is draining; retry on a new connection")
        }
        return nil
    }

    /// Sends a call now: the deadline left becomes the header's timeout, a stream's window its
    /// initial credit.
    private mutating func send(
        key: UInt64,
        header: WireRequestHeader,
        message: ByteBuffer,
        kind: RPCMethodKind,
        deadline: NIODeadline?,
        window: UInt32,
        continuation: UnsafeContinuation<ByteBuffer, any Error>?,
        timer: Scheduled<Void>?,
        into effects: inout Effects
    ) {
        var timeoutUs: UInt64 = 0
        if let deadline {
            let remaining = deadline - .now()
            guard remaining.nanoseconds > 0 else {
                fail(continuation, timer, RPCError(code: .deadlineExceeded, message: "the deadline passed before the call was sent"), into: &effects)
                streams[key]?.end = .failure(RPCError(code: .deadlineExceeded, message: "the deadline passed before the call was sent"))
                return
            }
            timeoutUs = UInt64((remaining.nanoseconds + 999) / 1_000)
        }
        let credit = kind == .serverStream ? window : 0
        if timeoutUs == 0, credit == 0 {
            // Most calls: the header goes out as the caller made it, without a copy.
            writeRequest(key: key, header: header, message: message, kind: kind, window: window, continuation: continuation, timer: timer, into: &effects)
        } else {
            var sending = header
            sending.timeoutUs = timeoutUs
            sending.initialCredit = credit
            writeRequest(key: key, header: sending, message: message, kind: kind, window: window, continuation: continuation, timer: timer, into: &effects)
        }
    }

    /// Writes the REQUEST of a call whose header is final, and opens the call.
    private mutating func writeRequest(
        key: UInt64,
        header: WireRequestHeader,
        message: ByteBuffer,
        kind: RPCMethodKind,
        window: UInt32,
        continuation: UnsafeContinuation<ByteBuffer, any Error>?,
        timer: Scheduled<Void>?,
        into effects: inout Effects
    ) {
        let headerSize = header.encodedSize
        let length = Frame.requestLength(headerBytes: headerSize, messageBytes: message.readableBytes)
        guard length <= peerMaxFrameSize else {
            let error = RPCError(code: .resourceExhausted, message: "the request is \(length) bytes; the peer accepts frames of at most \(peerMaxFrameSize)")
            fail(continuation, timer, error, into: &effects)
            streams[key]?.end = .failure(error)
            return
        }
        let id = nextCallID
        nextCallID = nextCallID &+ 2
        if nextCallID < id {  // ids exhausted: no more calls on this connection
            goAwayReceived = goAwayReceived ?? id
        }
        outgoing[id] = OutgoingCall(
            key: key, kind: kind, continuation: continuation,
            creditLeft: kind == .serverStream ? window : 1, timer: timer
        )
        if kind == .serverStream { streams[key]?.callID = id }
        output.writeRequestFrame(callID: id, header: header, headerSize: headerSize, message: message, serverStream: kind == .serverStream)
        emitted(into: &effects)
    }

    private func fail(
        _ continuation: UnsafeContinuation<ByteBuffer, any Error>?,
        _ timer: Scheduled<Void>?,
        _ error: RPCError,
        into effects: inout Effects
    ) {
        if let continuation { effects.unary.append((continuation, .failure(error))) }
        if let timer { effects.timers.append(timer) }
    }

    private mutating func startPending(into effects: inout Effects) {
        while phase == .active, goAwayReceived == nil, outgoing.count < peerMaxConcurrentCalls, let call = pending.popFirst() {
            let waiting = pendingContinuations.removeValue(forKey: call.key)
            send(key: call.key, header: call.header, message: call.message, kind: call.kind, deadline: call.deadline, window: call.window,
                 continuation: waiting?.0, timer: waiting?.1, into: &effects)
        }
    }

    /// The caller gave up (task cancelled or deadline passed): end the call locally and tell the
    /// peer. Returns nothing to do if the call already ended.
    mutating func abandon(key: UInt64, error: RPCError) -> Effects {
        var effects = Effects()
        // Abandoning is rare (cancellation, deadline), so the sent call is looked for by key
        // rather than every call keeping a key-to-id map up to date.
        if let sent = outgoing.first(where: { $0.value.key == key }) {
            outgoing.removeValue(forKey: sent.id)
            fail(sent.value.continuation, sent.value.timer, error, into: &effects)
            if phase != .closed { emit(.cancel(callID: sent.id), into: &effects) }
            callEnded(into: &effects)
        } else if let index = pending.firstIndex(where: { $0.key == key }) {
            pending.remove(at: index)
            if let waiting = pendingContinuations.removeValue(forKey: key) {
                fail(waiting.0, waiting.1, error, into: &effects)
            }
        }
        if var stream = streams[key], stream.end == nil {
            stream.end = .failure(error)
            if let waiter = stream.waiter {
                stream.waiter = nil
                effects.stream.append((waiter, .failure(error)))
            }
            streams[key] = stream
        }
        return effects
    }

    // MARK: Client streams

    /// The next message of a stream this side started: a message, `nil` at the end, an error,
    /// or (when none is buffered) a registration of `waiter`.
    mutating func nextStreamMessage(key: UInt64, waiter: UnsafeContinuation<ByteBuffer?, any Error>) -> Effects {
        var effects = Effects()
        guard var stream = streams[key] else {
            effects.stream.append((waiter, .success(nil)))
            return effects
        }
        if let message = stream.buffered.popFirst() {
            consumed(&stream, key: key, into: &effects)
            streams[key] = stream
            effects.stream.append((waiter, .success(message)))
        } else if let end = stream.end {
            streams[key] = nil
            effects.stream.append((waiter, end.map { nil }))
        } else {
            stream.waiter = waiter
            streams[key] = stream
        }
        return effects
    }

    /// Grants credit back once half the window has been consumed.
    private mutating func consumed(_ stream: inout ClientStream, key: UInt64, into effects: inout Effects) {
        stream.consumedSinceGrant += 1
        let half = max(1, stream.window / 2)
        guard stream.consumedSinceGrant >= half, stream.end == nil, let id = stream.callID, let index = outgoing.index(forKey: id) else { return }
        stream.consumedSinceGrant = 0
        outgoing[slot: index].creditLeft += half
        emit(.credit(callID: id, increment: half), into: &effects)
    }

    /// The consumer left the stream's scope: forget it, cancelling the call if still open.
    mutating func releaseStream(key: UInt64) -> Effects {
        var effects = abandon(key: key, error: RPCError(code: .cancelled, message: "the stream was abandoned"))
        streams[key] = nil
        effects.stream.removeAll()
        return effects
    }

    // MARK: Serving (callee side)

    /// Sets the response of a unary call being served; it goes out with the END.
    mutating func setUnaryResponse(callID: UInt32, _ message: ByteBuffer) {
        // Through the index: an optional-chained subscript assignment allocates.
        if let index = incoming.index(forKey: callID) { incoming[slot: index].response = message }
    }

    /// The response a unary handler has set, while its call is open.
    func unaryResponse(callID: UInt32) -> ByteBuffer? {
        incoming[callID]?.response
    }

    /// Sends one message of a stream being served, or registers `writer` to wait for credit.
    mutating func writeStreamMessage(callID: UInt32, _ message: ByteBuffer, writer: UnsafeContinuation<Void, any Error>) -> Effects {
        var effects = Effects()
        guard var call = incoming[callID] else {
            effects.writers.append((writer, .failure(RPCError(code: .cancelled, message: "the call has ended"))))
            return effects
        }
        let frame = Frame.message(callID: callID, message)
        guard frame.length <= peerMaxFrameSize else {
            effects.writers.append((writer, .failure(RPCError(code: .resourceExhausted, message: "a response of \(frame.length) bytes exceeds the peer's maximum frame size \(peerMaxFrameSize)"))))
            return effects
        }
        if call.credit > 0 {
            call.credit -= 1
            incoming[callID] = call
            emit(frame, into: &effects)
            effects.writers.append((writer, .success(())))
        } else {
            pendingWrites[callID] = message
            call.writer = writer
            incoming[callID] = call
        }
        return effects
    }

    /// Messages of served streams waiting for credit (at most one per call: the writer waits).
    private var pendingWrites: [UInt32: ByteBuffer] = [:]

    /// Ends a call being served: sends the unary response (if any) and the END.
    /// - Parameters:
    ///   - callID: The call.
    ///   - error: The status, or `nil` for OK.
    ///   - byHandler: The handler itself returned: there is no handler task left to cancel.
    mutating func finishIncoming(callID: UInt32, error: RPCError?, byHandler: Bool = false) -> Effects {
        var effects = Effects()
        guard var call = incoming.removeValue(forKey: callID) else { return effects }
        if byHandler { call.cancellation = nil }
        if !pendingWrites.isEmpty { pendingWrites[callID] = nil }
        var status = error
        // With `knock.unary-end-ok` in force the response's MESSAGE ends the call.
        var endedByMessage = false
        if status == nil, call.kind == .unary {
            if let response = call.response {
                var frame = Frame.message(callID: callID, response)
                if frame.length <= peerMaxFrameSize {
                    if unaryEndOK {
                        frame.flags.insert(.endOK)
                        endedByMessage = true
                    }
                    emit(frame, into: &effects)
                } else {
                    status = RPCError(code: .resourceExhausted, message: "the response is \(frame.length) bytes; the caller accepts frames of at most \(peerMaxFrameSize)")
                }
            } else {
                status = RPCError(code: .internal, message: "the handler returned no response")
            }
        }
        if phase != .closed, !endedByMessage {
            let end: Frame
            if let status {
                end = (try? Frame.end(callID: callID, status: status.wireStatus))
                    ?? Frame.end(callID: callID, code: status.code, message: status.message)
            } else {
                end = Frame(type: .end, callID: callID, payload: ByteBuffer())  // Status{} is OK
            }
            emit(end, into: &effects)
        }
        release(call, callID: callID, into: &effects)
        callEnded(into: &effects)
        return effects
    }

    /// The served call's deadline passed: END DEADLINE_EXCEEDED, the handler is cancelled.
    mutating func incomingDeadlinePassed(callID: UInt32) -> Effects {
        finishIncoming(callID: callID, error: RPCError(code: .deadlineExceeded, message: "the deadline passed"))
    }

    mutating func attachIncomingTimer(callID: UInt32, _ timer: Scheduled<Void>) -> Effects {
        var effects = Effects()
        if incoming[callID] != nil {
            incoming[callID]?.timer = timer
        } else {
            effects.timers.append(timer)
        }
        return effects
    }

    private func release(_ call: IncomingCall, callID: UInt32, into effects: inout Effects) {
        if let cancellation = call.cancellation { effects.cancellations.append((cancellation, callID)) }
        if let writer = call.writer {
            effects.writers.append((writer, .failure(RPCError(code: .cancelled, message: "the call has ended"))))
        }
        if let timer = call.timer { effects.timers.append(timer) }
    }

    // MARK: Inbound frames

    /// Handles the frames of one read burst, in order.
    mutating func receive(_ frames: [Frame]) -> Effects {
        var effects = Effects()
        for frame in frames { receive(frame, into: &effects) }
        return effects
    }

    /// Handles one frame from the peer.
    mutating func receive(_ frame: Frame) -> Effects {
        var effects = Effects()
        receive(frame, into: &effects)
        return effects
    }

    /// Handles one frame, adding to `effects`. The frames of every call (REQUEST, MESSAGE, END)
    /// add to them in place; the rarer ones make their own and merge them.
    private mutating func receive(_ frame: Frame, into effects: inout Effects) {
        if phase == .closed { return }
        if phase == .awaitingHello, frame.type != .hello, !frame.type.isExtension {
            effects.merge(connectionError(.protocolError, "the first frame must be HELLO, not \(frame.type.name)"))
            return
        }
        switch frame.type {
        case .hello: effects.merge(receiveHello(frame))
        case .request: receiveRequest(frame, into: &effects)
        case .message: receiveMessage(frame, into: &effects)
        case .end: receiveEnd(frame, into: &effects)
        case .cancel: effects.merge(receiveCancel(frame))
        case .credit: effects.merge(receiveCredit(frame))
        case .ping: emit(.pong(frame.pingData), into: &effects)
        case .goAway: effects.merge(receiveGoAway(frame))
        default: break  // PONG is handled by the keepalive timer; extensions are ignored
        }
    }

    private mutating func receiveHello(_ frame: Frame) -> Effects {
        guard phase == .awaitingHello else {
            return connectionError(.protocolError, "a second HELLO")
        }
        let hello: WireHello
        do {
            hello = try frame.decodeHello()
        } catch {
            return connectionError(.protocolError, error.message)
        }
        guard hello.versions.contains(WireLimits.protocolVersion) else {
            return connectionError(.unsupportedVersion, "no common protocol version: the peer speaks \(hello.versions), this side speaks [1]")
        }
        if hello.maxFrameSize != 0, !(WireLimits.minimumMaxFrameSize...WireLimits.maximumMaxFrameSize).contains(Int(hello.maxFrameSize)) {
            return connectionError(.protocolError, "HELLO max_frame_size \(hello.maxFrameSize) is outside 16384...16777215")
        }
        if let unknown = hello.extensions.first(where: { $0.required && !offeredExtensions.contains($0.name) }) {
            return connectionError(.unsupportedExtension, "the peer requires extension \(unknown.name), which this side does not support")
        }
        peerHello = hello
        unaryEndOK = offeredExtensions.contains(WireExtension.unaryEndOKName) && hello.lists(extension: WireExtension.unaryEndOKName)
        peerMaxFrameSize = hello.effectiveMaxFrameSize
        peerMaxConcurrentCalls = hello.effectiveMaxConcurrentCalls
        phase = .active
        lastActivity = .now()
        var effects = Effects()
        effects.ready = true
        startPending(into: &effects)
        return effects
    }

    private mutating func receiveRequest(_ frame: Frame, into effects: inout Effects) {
        let id = frame.callID
        guard id > lastPeerCallID else {
            effects.merge(connectionError(.protocolError, "REQUEST call id \(id) is not above the previous \(lastPeerCallID)"))
            return
        }
        lastPeerCallID = id
        func refuse(_ code: StatusCode, _ message: String) {
            emit(.end(callID: id, code: code, message: message), into: &effects)
        }
        if let last = goAwaySent, id > last {
            refuse(.unavailable, "the connection is draining; retry on a new connection")
            return
        }
        let parts: (header: WireRequestHeader, message: ByteBuffer)
        do {
            parts = try frame.requestParts()
        } catch {
            refuse(.invalidArgument, error.message)
            return
        }
        guard serves else {
            refuse(.unimplemented, "\(parts.header.method): this side serves no methods")
            return
        }
        guard incoming.count < local.maxConcurrentCalls else {
            refuse(.resourceExhausted, "too many concurrent calls: at most \(local.maxConcurrentCalls) on this connection")
            return
        }
        let kind: RPCMethodKind = frame.isServerStream ? .serverStream : .unary
        let credit = kind == .serverStream
            ? (parts.header.initialCredit == 0 ? WireLimits.defaultInitialCredit : parts.header.initialCredit) : 0
        incoming[id] = IncomingCall(kind: kind, credit: credit)
        let timeout = parts.header.timeoutUs
        let deadline: NIODeadline? = timeout > 0 ? .now() + .microseconds(Int64(clamping: timeout)) : nil
        toDispatch.append(IncomingRequest(callID: id, header: parts.header, message: parts.message, kind: kind, deadline: deadline))
        dispatchSignal = true
        effects.dispatch = true
        if let deadline { effects.timeoutIncoming.append((id, deadline)) }
    }

    private mutating func receiveMessage(_ frame: Frame, into effects: inout Effects) {
        let id = frame.callID
        guard let index = outgoing.index(forKey: id) else {
            effects.merge(endedOrUnknown(id, frame))
            return
        }
        var call = outgoing[slot: index]
        switch call.kind {
        case .unary:
            if call.response != nil {
                outgoing.remove(at: index)
                fail(call.continuation, call.timer, RPCError(code: .internal, message: "the peer sent a second response to a unary call"), into: &effects)
                emit(.cancel(callID: id), into: &effects)
                callEnded(into: &effects)
                return
            }
            if unaryEndOK, frame.flags.contains(.endOK) {
                // The response ends the call (PROTOCOL.md §4.7): as END OK after it.
                outgoing.remove(at: index)
                ended(call, unary: .success(frame.payload), into: &effects)
                return
            }
            // In place: the response of nearly every call passes here.
            outgoing[slot: index].response = frame.payload
        case .serverStream:
            guard call.creditLeft > 0 else {
                effects.merge(connectionError(.flowControlError, "the peer sent a stream message on call \(id) without credit"))
                return
            }
            call.creditLeft -= 1
            outgoing[slot: index] = call
            if var stream = streams[call.key] {
                if let waiter = stream.waiter {
                    stream.waiter = nil
                    consumed(&stream, key: call.key, into: &effects)
                    effects.stream.append((waiter, .success(frame.payload)))
                } else {
                    stream.buffered.append(frame.payload)
                }
                streams[call.key] = stream
            }
        }
    }

    private mutating func receiveEnd(_ frame: Frame, into effects: inout Effects) {
        let id = frame.callID
        guard let call = outgoing.removeValue(forKey: id) else {
            effects.merge(endedOrUnknown(id, frame))
            return
        }
        let status: WireStatus
        do {
            status = try frame.decodeStatus()
        } catch {
            effects.merge(connectionError(.protocolError, error.message))
            return
        }
        let error: RPCError? = status.code == 0 ? nil : RPCError(status: status)
        switch call.kind {
        case .unary:
            let outcome: Result<ByteBuffer, RPCError>
            if let error {
                outcome = .failure(error)
            } else if let response = call.response {
                outcome = .success(response)
            } else {
                outcome = .failure(RPCError(code: .internal, message: "the peer ended the call OK without a response"))
            }
            ended(call, unary: outcome, into: &effects)
            return
        case .serverStream:
            if let timer = call.timer { effects.timers.append(timer) }
            if var stream = streams[call.key] {
                let end: Result<Void, RPCError> = error.map { .failure($0) } ?? .success(())
                if let waiter = stream.waiter {
                    streams[call.key] = nil
                    effects.stream.append((waiter, end.map { nil }))
                } else {
                    stream.end = end
                    streams[call.key] = stream
                }
            }
        }
        callEnded(into: &effects)
    }

    /// A unary call this side started has ended (already removed from `outgoing`): its timer
    /// is cancelled and its caller resumed with `outcome`.
    private mutating func ended(_ call: OutgoingCall, unary outcome: Result<ByteBuffer, RPCError>, into effects: inout Effects) {
        if let timer = call.timer { effects.timers.append(timer) }
        if let continuation = call.continuation { effects.unary.append((continuation, outcome)) }
        callEnded(into: &effects)
    }

    private mutating func receiveCancel(_ frame: Frame) -> Effects {
        let id = frame.callID
        guard let call = incoming.removeValue(forKey: id) else { return endedOrUnknown(id, frame) }
        pendingWrites[id] = nil
        var effects = Effects()
        release(call, callID: id, into: &effects)
        callEnded(into: &effects)
        return effects
    }

    private mutating func receiveCredit(_ frame: Frame) -> Effects {
        let id = frame.callID
        guard var call = incoming[id] else { return endedOrUnknown(id, frame) }
        var effects = Effects()
        guard call.kind == .serverStream else { return effects }
        let (sum, overflow) = call.credit.addingReportingOverflow(frame.creditIncrement)
        guard !overflow, sum <= WireLimits.maximumCredit else {
            return connectionError(.flowControlError, "credit on call \(id) exceeds 2147483647")
        }
        call.credit = sum
        if let writer = call.writer, let message = pendingWrites.removeValue(forKey: id) {
            call.writer = nil
            call.credit -= 1
            emit(.message(callID: id, message), into: &effects)
            effects.writers.append((writer, .success(())))
        }
        incoming[id] = call
        return effects
    }

    private mutating func receiveGoAway(_ frame: Frame) -> Effects {
        let goAway: WireGoAway
        do {
            goAway = try frame.decodeGoAway()
        } catch {
            return connectionError(.protocolError, error.message)
        }
        var effects = Effects()
        let code = ConnectionErrorCode(rawValue: goAway.errorCode)
        let limit = min(goAway.lastCallID, goAwayReceived ?? .max)
        goAwayReceived = limit
        let notProcessed = RPCError(code: .unavailable, message: "the peer is going away (\(code.name): \(goAway.message)); the call was not processed and may be retried")
        for (id, call) in outgoing where id > limit {
            outgoing[id] = nil
            fail(call.continuation, call.timer, notProcessed, into: &effects)
            endStream(key: call.key, notProcessed, into: &effects)
        }
        failPending(notProcessed, into: &effects)
        if code != .noError {
            closeError = RPCError(code: .unavailable, message: "the peer closed the connection: \(code.name): \(goAway.message)")
            effects.merge(closeAll(closeError!))
            effects.close = .graceful
            return effects
        }
        callEnded(into: &effects)
        return effects
    }

    private mutating func endedOrUnknown(_ id: UInt32, _ frame: Frame) -> Effects {
        // A frame for a call that has ended raced with its end; one for a call never started
        // breaks the protocol.
        let mine = role.startsCall(withID: id)
        let started = mine ? id < nextCallID : id <= lastPeerCallID
        if started { return Effects() }
        return connectionError(.protocolError, "\(frame.type.name) for call \(id), which was never started")
    }

    private mutating func endStream(key: UInt64, _ error: RPCError, into effects: inout Effects) {
        guard var stream = streams[key], stream.end == nil else { return }
        if let waiter = stream.waiter {
            streams[key] = nil
            effects.stream.append((waiter, .failure(error)))
        } else {
            stream.end = .failure(error)
            streams[key] = stream
        }
    }

    private mutating func failPending(_ error: RPCError, into effects: inout Effects) {
        while let call = pending.popFirst() {
            if let waiting = pendingContinuations.removeValue(forKey: call.key) {
                fail(waiting.0, waiting.1, error, into: &effects)
            }
            endStream(key: call.key, error, into: &effects)
        }
    }

    // MARK: Drain and close

    /// A call ended: start queued calls, and close if a drain is complete.
    private mutating func callEnded(into effects: inout Effects) {
        // Idleness counts from the end of the last call.
        if openCalls == 0 { lastActivity = .now() }
        startPending(into: &effects)
        if (goAwaySent != nil || goAwayReceived != nil), outgoing.isEmpty, incoming.isEmpty, pending.isEmpty, effects.close == nil {
            effects.close = .graceful
        }
    }

    /// Queues a keepalive PING.
    mutating func sendPing(_ opaque: UInt64) -> Effects {
        var effects = Effects()
        emit(.ping(opaque), into: &effects)
        return effects
    }

    /// Starts a graceful drain: GOAWAY NO_ERROR, no new calls either way, close when done.
    mutating func beginDrain(message: String) -> Effects {
        var effects = Effects()
        guard phase != .closed, goAwaySent == nil else { return effects }
        goAwaySent = lastPeerCallID
        emit(.goAway(lastCallID: lastPeerCallID, code: .noError, message: message), into: &effects)
        let error = RPCError(code: .unavailable, message: "the connection is draining; retry on a new connection")
        for call in pending { endStream(key: call.key, error, into: &effects) }
        failPending(error, into: &effects)
        effects.finishRequests = true
        if outgoing.isEmpty, incoming.isEmpty { effects.close = .graceful }
        return effects
    }

    /// A connection error: queue GOAWAY with `code`, fail every call, close.
    mutating func connectionError(_ code: ConnectionErrorCode, _ message: String) -> Effects {
        guard phase != .closed else { return Effects() }
        var effects = Effects()
        emit(.goAway(lastCallID: lastPeerCallID, code: code, message: message), into: &effects)
        let error = RPCError(code: .unavailable, message: "connection error \(code.name): \(message)")
        closeError = error
        effects.merge(closeAll(error))
        effects.flush = true
        effects.close = .error(code, message)
        return effects
    }

    /// The connection is gone (closed by either side, or lost): fail everything.
    mutating func closed(reason: RPCError) -> Effects {
        guard phase != .closed else { return Effects() }
        closeError = closeError ?? reason
        return closeAll(closeError!)
    }

    private mutating func closeAll(_ error: RPCError) -> Effects {
        var effects = Effects()
        phase = .closed
        for (_, call) in outgoing {
            fail(call.continuation, call.timer, error, into: &effects)
            endStream(key: call.key, error, into: &effects)
        }
        outgoing.removeAll()
        failPending(error, into: &effects)
        for (id, call) in incoming { release(call, callID: id, into: &effects) }
        incoming.removeAll()
        toDispatch.removeAll()
        pendingWrites.removeAll()
        for key in streams.keys { endStream(key: key, error, into: &effects) }
        effects.finishRequests = true
        return effects
    }
}

/// A call the peer started, handed to the serving loop.
struct IncomingRequest: Sendable {
    var callID: UInt32
    var header: WireRequestHeader
    var message: ByteBuffer
    var kind: RPCMethodKind
    var deadline: NIODeadline?
}
