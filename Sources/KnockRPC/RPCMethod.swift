public import SwiftProtobuf

/// Whether a method answers once or streams.
public enum RPCMethodKind: String, Sendable, Hashable {
    /// One request, one response.
    case unary
    /// One request, a stream of responses paced by credit.
    case serverStream = "server_stream"
}

/// A typed method, shared by the code that serves it and the code that calls it.
///
/// Names are `service.Method`: `knock.core.Visits.Record`, `canteen.PlaceOrder`. A method module
/// declares its methods once and both the host and its clients use the same value.
public struct RPCMethod<Request: SwiftProtobuf.Message & Sendable, Response: SwiftProtobuf.Message & Sendable>: Sendable, Hashable {
    /// The full name, `service.Method`.
    public var name: String
    /// Unary or server stream.
    public var kind: RPCMethodKind

    /// Creates a method descriptor.
    /// - Parameters:
    ///   - name: The full name, `service.Method`.
    ///   - kind: Unary or server stream.
    public init(_ name: String, kind: RPCMethodKind = .unary) {
        self.name = name
        self.kind = kind
    }

    /// What a generic client needs to know of the method.
    public var descriptor: RPCMethodDescriptor {
        RPCMethodDescriptor(
            name: name,
            kind: kind,
            requestType: Request.protoMessageName,
            responseType: Response.protoMessageName
        )
    }
}

/// A method as a generic client sees it: name, kind and protobuf type names.
public struct RPCMethodDescriptor: Sendable, Hashable {
    /// The full name, `service.Method`.
    public var name: String
    /// Unary or server stream.
    public var kind: RPCMethodKind
    /// The fully qualified protobuf name of the request type.
    public var requestType: String
    /// The fully qualified protobuf name of the response type.
    public var responseType: String

    /// Creates a descriptor.
    /// - Parameters:
    ///   - name: The full method name.
    ///   - kind: Unary or server stream.
    ///   - requestType: Protobuf name of the request.
    ///   - responseType: Protobuf name of the response.
    public init(name: String, kind: RPCMethodKind, requestType: String, responseType: String) {
        self.name = name
        self.kind = kind
        self.requestType = requestType
        self.responseType = responseType
    }
}
