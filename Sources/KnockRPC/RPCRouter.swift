public import NIOCore
public import SwiftProtobuf

/// Something that serves RPC methods: a core service of the host, or a method module.
public protocol RPCService: Sendable {
    /// Adds this service's methods to `router`.
    /// - Parameter router: The router being built.
    func registerMethods(with router: inout RPCRouter)
}

/// The methods a side of a connection serves, by name. A value type: build it once at
/// start-up, from every service, then hand it to the server or connection.
public struct RPCRouter: Sendable {
    /// A handler working on serialized messages, for generic forwarding (a method served by a
    /// module in another process) and for the typed registrations below.
    public typealias RawHandler = @Sendable (_ request: ByteBuffer, _ context: ServerContext, _ responses: RawResponseWriter) async throws -> Void

    struct Route: Sendable {
        var descriptor: RPCMethodDescriptor
        var handler: RawHandler
    }

    private(set) var routes: [String: Route] = [:]
    private(set) var prefixRoutes: [(prefix: String, kind: RPCMethodKind?, handler: RawHandler)] = []

    /// Remembers outcomes of unary calls made with an idempotency key; `nil` (the default)
    /// means keys are passed to handlers but not acted on by the runtime.
    public var idempotency: IdempotencyCache?

    /// Creates an empty router.
    /// - Parameter idempotency: The cache that makes keyed retries safe, if any.
    public init(idempotency: IdempotencyCache? = nil) {
        self.idempotency = idempotency
    }

    /// Registers a unary method.
    /// - Parameters:
    ///   - method: The method.
    ///   - handler: Turns a request into a response, or throws an ``RPCError``.
    public mutating func register<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        precondition(method.kind == .unary, "\(method.name) is a server stream: register a stream handler")
        routes[method.name] = Route(descriptor: method.descriptor) { bytes, context, responses in
            let request = try Request.decoded(from: bytes, method: method.name)
            let response = try await handler(request, context)
            responses.connection.setUnaryResponse(callID: responses.callID, try response.serializedByteBuffer())
        }
    }

    /// Registers a server-streaming method.
    /// - Parameters:
    ///   - method: The method (kind `.serverStream`).
    ///   - handler: Writes responses to the writer; returning ends the stream with OK.
    public mutating func register<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        streamHandler handler: @escaping @Sendable (Request, ServerContext, StreamWriter<Response>) async throws -> Void
    ) {
        precondition(method.kind == .serverStream, "\(method.name) is unary: register a unary handler")
        routes[method.name] = Route(descriptor: method.descriptor) { bytes, context, responses in
            let request = try Request.decoded(from: bytes, method: method.name)
            try await handler(request, context, StreamWriter(connection: responses.connection, callID: responses.callID))
        }
    }

    /// Registers a handler working on serialized messages.
    /// - Parameters:
    ///   - descriptor: Name, kind and type names of the method.
    ///   - handler: The handler.
    public mutating func register(raw descriptor: RPCMethodDescriptor, handler: @escaping RawHandler) {
        routes[descriptor.name] = Route(descriptor: descriptor, handler: handler)
    }

    /// Routes every method whose name starts with `prefix` (e.g. `canteen.`) that has no route
    /// of its own to `handler`: how the host forwards a module's methods to the module.
    /// - Parameters:
    ///   - prefix: The name prefix, usually `<module-id>.`.
    ///   - handler: The handler.
    public mutating func register(prefix: String, handler: @escaping RawHandler) {
        prefixRoutes.append((prefix, nil, handler))
    }

    /// Adds every route of `other` (its methods win over same-named ones here).
    /// - Parameter other: Another router.
    public mutating func merge(_ other: RPCRouter) {
        routes.merge(other.routes) { _, new in new }
        prefixRoutes += other.prefixRoutes
    }

    /// Adds every method of `service`.
    /// - Parameter service: The service.
    public mutating func add(_ service: some RPCService) {
        service.registerMethods(with: &self)
    }

    /// The registered methods, sorted by name.
    public var methods: [RPCMethodDescriptor] {
        routes.values.map(\.descriptor).sorted { $0.name < $1.name }
    }

    /// Whether any method is registered.
    public var isEmpty: Bool { routes.isEmpty && prefixRoutes.isEmpty }

    /// A method's route: its kind (`nil` for a prefix route that serves either) and handler.
    package typealias RawRoute = (kind: RPCMethodKind?, handler: RawHandler)

    package func route(for name: String) -> RawRoute? {
        if let route = routes[name] { return (route.descriptor.kind, route.handler) }
        for route in prefixRoutes where name.hasPrefix(route.prefix) {
            return (route.kind, route.handler)
        }
        return nil
    }
}

/// Where a raw handler sends its response (unary) or responses (stream).
public struct RawResponseWriter: Sendable {
    let connection: RPCConnection
    let callID: UInt32
    let kind: RPCMethodKind

    /// Sends a response message: the only one of a unary call, or the next of a stream (waiting
    /// for credit).
    /// - Parameter message: The serialized message.
    /// - Throws: ``RPCError`` `CANCELLED` if the call has ended.
    public func send(_ message: ByteBuffer) async throws {
        switch kind {
        case .unary: connection.setUnaryResponse(callID: callID, message)
        case .serverStream: try await connection.writeStreamMessage(callID: callID, message)
        }
    }
}

extension SwiftProtobuf.Message {
    /// The message serialized into a `ByteBuffer`.
    /// - Throws: ``RPCError`` `INTERNAL` if it cannot be serialized.
    public func serializedByteBuffer() throws(RPCError) -> ByteBuffer {
        do {
            let bytes: [UInt8] = try serializedBytes()
            return ByteBuffer(bytes: bytes)
        } catch {
            throw RPCError(code: .internal, message: "\(Self.protoMessageName) failed to serialize: \(error)")
        }
    }

    /// Parses a message from the readable bytes of `buffer`.
    /// - Parameters:
    ///   - buffer: The serialized message.
    ///   - method: The method name, for the error message.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` naming the type when the bytes do not parse.
    public static func decoded(from buffer: ByteBuffer, method: String) throws(RPCError) -> Self {
        do {
            return try Self(serializedBytes: buffer.readableBytesSpan)
        } catch {
            throw RPCError(code: .invalidArgument, message: "\(method): the request is not a valid \(protoMessageName): \(error)")
        }
    }
}
