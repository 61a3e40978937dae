/// How a call ended: the status codes of gRPC, with the same numbers, so integrators recognise them.
public struct StatusCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The number on the wire.
    public var rawValue: UInt32

    /// Creates a status code from its wire number. Unknown numbers are kept and read as ``unknown``
    /// by ``isKnown``-aware callers.
    /// - Parameter rawValue: The number on the wire.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The call succeeded.
    public static let ok = StatusCode(rawValue: 0)
    /// The caller cancelled the call.
    public static let cancelled = StatusCode(rawValue: 1)
    /// An error with no better code.
    public static let unknown = StatusCode(rawValue: 2)
    /// The request is invalid whatever the state of the system (a malformed payload, a bad field).
    public static let invalidArgument = StatusCode(rawValue: 3)
    /// The deadline passed before the call finished.
    public static let deadlineExceeded = StatusCode(rawValue: 4)
    /// A named entity (a resident, a need, a method) does not exist.
    public static let notFound = StatusCode(rawValue: 5)
    /// The entity the call would create exists already.
    public static let alreadyExists = StatusCode(rawValue: 6)
    /// The caller's identity may not do this.
    public static let permissionDenied = StatusCode(rawValue: 7)
    /// A limit was reached (concurrent calls, message size); retry later.
    public static let resourceExhausted = StatusCode(rawValue: 8)
    /// The system is not in a state that allows this (e.g. an impossible need transition).
    public static let failedPrecondition = StatusCode(rawValue: 9)
    /// The call was aborted by a concurrency conflict; retry the whole operation.
    public static let aborted = StatusCode(rawValue: 10)
    /// A value is outside its valid range.
    public static let outOfRange = StatusCode(rawValue: 11)
    /// The callee does not implement the method.
    public static let unimplemented = StatusCode(rawValue: 12)
    /// A bug on the callee's side.
    public static let `internal` = StatusCode(rawValue: 13)
    /// The callee cannot serve now (draining, a module is down); safe to retry.
    public static let unavailable = StatusCode(rawValue: 14)
    /// Unrecoverable data loss or corruption.
    public static let dataLoss = StatusCode(rawValue: 15)
    /// The caller is not authenticated.
    public static let unauthenticated = StatusCode(rawValue: 16)

    /// The codes 0 to 16.
    public static let all: [StatusCode] = (0...16).map { StatusCode(rawValue: $0) }

    /// Whether the number is one of the seventeen defined codes.
    public var isKnown: Bool { rawValue <= 16 }

    /// The upper-case name, as gRPC spells it, e.g. `DEADLINE_EXCEEDED`.
    public var name: String {
        switch rawValue {
        case 0: "OK"
        case 1: "CANCELLED"
        case 2: "UNKNOWN"
        case 3: "INVALID_ARGUMENT"
        case 4: "DEADLINE_EXCEEDED"
        case 5: "NOT_FOUND"
        case 6: "ALREADY_EXISTS"
        case 7: "PERMISSION_DENIED"
        case 8: "RESOURCE_EXHAUSTED"
        case 9: "FAILED_PRECONDITION"
        case 10: "ABORTED"
        case 11: "OUT_OF_RANGE"
        case 12: "UNIMPLEMENTED"
        case 13: "INTERNAL"
        case 14: "UNAVAILABLE"
        case 15: "DATA_LOSS"
        case 16: "UNAUTHENTICATED"
        default: "CODE_\(rawValue)"
        }
    }

    /// The status code with the given upper-case name.
    /// - Parameter name: A name such as `NOT_FOUND`.
    public init?(name: String) {
        guard let code = StatusCode.all.first(where: { $0.name == name }) else { return nil }
        self = code
    }

    public var description: String { name }
}
