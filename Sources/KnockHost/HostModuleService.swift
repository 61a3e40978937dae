public import Foundation
public import KnockModuleKit
import KnockPKI
import NIOCore

/// The host's side of the module contract: registration of modules that dialed in, their
/// store, and the routing of `<module-id>.*` calls to whichever module serves them.
public struct HostModuleService: RPCService {
    /// What the host's configuration says about a module.
    public struct Policy: Sendable {
        /// Whether a module with this id may register at all.
        public var allowed: @Sendable (String) -> Bool
        /// The communities that enabled the module.
        public var communities: @Sendable (String) -> [String]
        /// The module's configuration.
        public var configuration: @Sendable (String) -> [String: String]
        /// The deployment's time zone, where days begin and end for every module.
        public var timeZone: TimeZone

        /// Creates a policy.
        /// - Parameters:
        ///   - allowed: Whether a module id may register (default: any).
        ///   - communities: Communities that enabled it (default: none listed).
        ///   - configuration: Its configuration (default: empty).
        ///   - timeZone: The deployment's time zone (default: Asia/Shanghai).
        public init(
            allowed: @escaping @Sendable (String) -> Bool = { _ in true },
            communities: @escaping @Sendable (String) -> [String] = { _ in [] },
            configuration: @escaping @Sendable (String) -> [String: String] = { _ in [:] },
            timeZone: TimeZone = ModuleCalendar.knockDefault.timeZone
        ) {
            self.allowed = allowed
            self.communities = communities
            self.configuration = configuration
            self.timeZone = timeZone
        }
    }

    let registry: ModuleRegistry
    let policy: Policy
    let stores: @Sendable (String) -> any ModuleStore

    /// Creates the service.
    /// - Parameters:
    ///   - registry: Where modules are registered.
    ///   - policy: Which modules may register, and their settings.
    ///   - stores: The store of each module id.
    public init(registry: ModuleRegistry, policy: Policy = Policy(), stores: @escaping @Sendable (String) -> any ModuleStore) {
        self.registry = registry
        self.policy = policy
        self.stores = stores
    }

    public func registerMethods(with router: inout RPCRouter) {
        let registry = self.registry
        let policy = self.policy
        let stores = self.stores
        router.register(ModuleMethods.register) { request, context in
            let id = try context.callingModuleID()
            let descriptor = request.descriptor
            try descriptor.validate()
            guard descriptor.id == id else {
                throw RPCError(code: .permissionDenied, message: "the certificate is for module \(id), the descriptor says \(descriptor.id)")
            }
            guard policy.allowed(id) else {
                throw RPCError(code: .permissionDenied, message: "module \(id) is not enabled on this host")
            }
            if let existing = registry.entry(id), existing.origin == .builtIn {
                throw RPCError(code: .failedPrecondition, message: "module \(id) is built into this host")
            }
            registry.add(descriptor, origin: .remote(subject: context.peer?.subject ?? "", fingerprint: context.peer?.sha256Fingerprint ?? ""), connection: context.connection)
            var response = ModuleRegisterResponse()
            response.communities = policy.communities(id)
            response.configuration = policy.configuration(id)
            response.timeZone = policy.timeZone.identifier
            return response
        }
        router.register(ModuleMethods.put) { request, context in
            var response = ModulePutResponse()
            response.version = try await stores(try context.callingModuleID()).put(request.record, expectedVersion: request.hasExpectedVersion ? request.expectedVersion : nil)
            return response
        }
        router.register(ModuleMethods.get) { request, context in
            var response = ModuleGetResponse()
            if let record = try await stores(try context.callingModuleID()).get(collection: request.collection, key: request.key) {
                response.found = true
                response.record = record
            }
            return response
        }
        router.register(ModuleMethods.query) { request, context in
            let limit = request.limit == 0 ? 100 : Int(request.limit)
            let page = try await stores(try context.callingModuleID()).query(collection: request.collection, where: request.where, limit: limit, after: request.afterKey.isEmpty ? nil : request.afterKey)
            var response = ModuleQueryResponse()
            response.records = page.records
            response.nextKey = page.next ?? ""
            return response
        }
        router.register(ModuleMethods.delete) { request, context in
            var response = ModuleDeleteResponse()
            response.deleted = try await stores(try context.callingModuleID()).delete(collection: request.collection, key: request.key)
            return response
        }
        router.register(ModuleMethods.batch) { request, context in
            var response = ModuleBatchResponse()
            response.versions = try await stores(try context.callingModuleID()).batch(request.operations)
            return response
        }
        // Anything else named "<module-id>.<Method>" goes to that module.
        router.register(prefix: "") { request, context, responses in
            try await Self.forward(request, context: context, responses: responses, registry: registry)
        }
    }

    static func forward(_ request: ByteBuffer, context: ServerContext, responses: RawResponseWriter, registry: ModuleRegistry) async throws {
        let method = context.method
        let moduleID = String(method.prefix { $0 != "." })
        guard let entry = registry.entry(moduleID) else {
            throw RPCError(code: .unimplemented, message: "unknown method \(method): no module \(moduleID) is loaded")
        }
        guard let info = entry.descriptor.methods.first(where: { $0.name == method }) else {
            throw RPCError(code: .unimplemented, message: "module \(moduleID) has no method \(method)")
        }
        let options = CallOptions(timeout: context.remainingTime, metadata: context.metadata, idempotencyKey: context.idempotencyKey)
        if info.serverStream {
            try await entry.connection.streamRaw(method, request, options: options) { messages in
                for try await message in messages { try await responses.send(message) }
            }
        } else {
            try await responses.send(try await entry.connection.callRaw(method, request, options: options))
        }
    }
}
