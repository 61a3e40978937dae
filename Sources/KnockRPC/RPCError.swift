public import KnockWire
public import SwiftProtobuf

/// How a call failed: a gRPC-numbered status code, a message for people, details for programs,
/// and the underlying error when there is one.
public struct RPCError: Error, Sendable, CustomStringConvertible {
    /// The fields, in one heap box so that an `RPCError` (and every `Result` carrying one) is a
    /// single pointer wide on the hot paths of the runtime.
    private final class Storage: Sendable {
        let code: StatusCode
        let message: String
        let details: [Google_Protobuf_Any]
        let trailers: Metadata
        let cause: (any Error & Sendable)?

        init(code: StatusCode, message: String, details: [Google_Protobuf_Any], trailers: Metadata, cause: (any Error & Sendable)?) {
            self.code = code
            self.message = message
            self.details = details
            self.trailers = trailers
            self.cause = cause
        }
    }

    private var storage: Storage

    /// The status code, as sent in the END frame.
    public var code: StatusCode {
        get { storage.code }
        set { storage = Storage(code: newValue, message: message, details: details, trailers: trailers, cause: cause) }
    }
    /// A sentence in English saying what went wrong.
    public var message: String {
        get { storage.message }
        set { storage = Storage(code: code, message: newValue, details: details, trailers: trailers, cause: cause) }
    }
    /// Machine-readable details (`knock.wire.v1.ErrorInfo`, `RetryInfo`, `BadRequest`, …).
    public var details: [Google_Protobuf_Any] {
        get { storage.details }
        set { storage = Storage(code: code, message: message, details: newValue, trailers: trailers, cause: cause) }
    }
    /// Trailing metadata sent with the status.
    public var trailers: Metadata {
        get { storage.trailers }
        set { storage = Storage(code: code, message: message, details: details, trailers: newValue, cause: cause) }
    }
    /// The error that caused this one, if any (not sent on the wire).
    public var cause: (any Error & Sendable)? {
        get { storage.cause }
        set { storage = Storage(code: code, message: message, details: details, trailers: trailers, cause: newValue) }
    }

    /// Creates an error.
    /// - Parameters:
    ///   - code: The status code.
    ///   - message: What went wrong, for people.
    ///   - details: Details for programs.
    ///   - trailers: Trailing metadata.
    ///   - cause: The underlying error, kept locally.
    public init(
        code: StatusCode,
        message: String,
        details: [Google_Protobuf_Any] = [],
        trailers: Metadata = [:],
        cause: (any Error & Sendable)? = nil
    ) {
        storage = Storage(code: code, message: message, details: details, trailers: trailers, cause: cause)
    }

    /// Reads an error from the status of an END frame. Codes above 16 read as `UNKNOWN`.
    /// - Parameter status: The status received.
    public init(status: WireStatus) {
        let code = StatusCode(rawValue: status.code)
        self.init(
            code: code.isKnown ? code : .unknown,
            message: status.message,
            details: status.details,
            trailers: Metadata(status.trailers)
        )
    }

    /// The status to send in an END frame.
    public var wireStatus: WireStatus {
        var status = WireStatus()
        status.code = code.rawValue
        status.message = message
        status.details = details
        status.trailers = trailers.wireEntries
        return status
    }

    /// The first detail of the given type, unpacked.
    /// - Parameter type: A protobuf message type such as `WireErrorInfo`.
    public func detail<M: SwiftProtobuf.Message>(_ type: M.Type) -> M? {
        for detail in details where detail.isA(type) {
            if let message = try? M(unpackingAny: detail) { return message }
        }
        return nil
    }

    /// An error with an `ErrorInfo` detail carrying a stable reason.
    /// - Parameters:
    ///   - code: The status code.
    ///   - reason: UPPER_SNAKE_CASE reason, e.g. `NEED_TRANSITION_NOT_ALLOWED`.
    ///   - domain: Who raised it, e.g. `knock.core`.
    ///   - message: What went wrong, for people.
    public static func reason(_ code: StatusCode, _ reason: String, domain: String, _ message: String) -> RPCError {
        var info = WireErrorInfo()
        info.reason = reason
        info.domain = domain
        let packed = try? Google_Protobuf_Any(message: info)
        return RPCError(code: code, message: message, details: packed.map { [$0] } ?? [])
    }

    public var description: String {
        var text = "\(code.name): \(message)"
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}

extension RPCError {
    /// Turns any error into an `RPCError`: an `RPCError` stays as it is, cancellation becomes
    /// `CANCELLED`, anything else `UNKNOWN` with a generic message (the original is kept as
    /// `cause`, never sent).
    /// - Parameter error: The error thrown by a handler or the runtime.
    public init(wrapping error: any Error) {
        switch error {
        case let error as RPCError:
            self = error
        case is CancellationError:
            self.init(code: .cancelled, message: "the call was cancelled")
        default:
            self.init(code: .unknown, message: "the handler failed", cause: SendableErrorBox(error))
        }
    }
}

/// Holds a non-`Sendable` error as text, so it can travel as a cause.
struct SendableErrorBox: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ error: any Error) {
        self.description = String(describing: error)
    }
}
