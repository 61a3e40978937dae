import Foundation
public import KnockModuleKit
public import KnockSupervisor
import SwiftProtobuf

/// The host's own methods: `knock.host.Describe` (every method with its types and their
/// protobuf descriptors, so generic clients can call anything), `knock.host.ListModules` and
/// `knock.host.Health`.
public struct HostService: RPCService {
    public static let describe = RPCMethod<HostDescribeRequest, HostDescribeResponse>("knock.host.Describe")
    public static let listModules = RPCMethod<HostListModulesRequest, HostListModulesResponse>("knock.host.ListModules")
    public static let health = RPCMethod<HostHealthRequest, HostHealthResponse>("knock.host.Health")
    public static let metrics = RPCMethod<HostMetricsRequest, HostMetricsResponse>("knock.host.Metrics")

    let registry: ModuleRegistry
    let hostMethods: @Sendable () -> [RPCMethodDescriptor]
    let startedAt: Date
    let status: @Sendable () -> (draining: Bool, connections: Int)
    let version: String
    let exposition: (@Sendable () -> String)?
    let supervised: @Sendable () -> [ProcessStatus]

    /// Creates the service.
    /// - Parameters:
    ///   - registry: The modules.
    ///   - hostMethods: The host's own methods (its router's), for Describe.
    ///   - version: The host's version.
    ///   - metrics: The metrics in Prometheus text format, for `knock.host.Metrics`.
    ///   - supervised: The module processes the host supervises, so ListModules shows those
    ///     that are down too.
    ///   - status: Whether the host is draining, and its open connections.
    public init(
        registry: ModuleRegistry,
        hostMethods: @escaping @Sendable () -> [RPCMethodDescriptor],
        version: String,
        metrics: (@Sendable () -> String)? = nil,
        supervised: @escaping @Sendable () -> [ProcessStatus] = { [] },
        status: @escaping @Sendable () -> (draining: Bool, connections: Int)
    ) {
        self.exposition = metrics
        self.supervised = supervised
        self.registry = registry
        self.hostMethods = hostMethods
        self.version = version
        self.status = status
        self.startedAt = Date()
    }

    public func registerMethods(with router: inout RPCRouter) {
        let registry = self.registry
        let hostMethods = self.hostMethods
        let startedAt = self.startedAt
        let status = self.status
        let version = self.version
        let supervised = self.supervised
        if let exposition {
            router.register(Self.metrics) { _, _ in
                var response = HostMetricsResponse()
                response.text = exposition()
                return response
            }
        }
        router.register(Self.describe) { request, _ in
            try Self.describe(request, registry: registry, hostMethods: hostMethods())
        }
        router.register(Self.listModules) { _, _ in
            var response = HostListModulesResponse()
            response.modules = registry.entries.map { entry in
                let health = registry.health(entry.descriptor.id)
                var module = HostModuleStatus()
                module.id = entry.descriptor.id
                module.nameZh = entry.descriptor.nameZh
                module.nameEn = entry.descriptor.nameEn
                module.version = entry.descriptor.version
                module.origin = entry.origin.label
                module.healthy = entry.connection.channel.isActive
                module.answered = UInt64(health.answered)
                module.failed = UInt64(health.failed)
                module.timedOut = UInt64(health.timedOut)
                module.uptimeSeconds = UInt64(max(0, Date().timeIntervalSince(entry.since)))
                module.methods = entry.descriptor.methods.map(\.name)
                return module
            }
            for process in supervised() {
                if let index = response.modules.firstIndex(where: { $0.id == process.id }) {
                    response.modules[index].origin = "supervised"
                    response.modules[index].processState = process.state.description
                    response.modules[index].restarts = UInt32(clamping: process.restartCount)
                } else {
                    var module = HostModuleStatus()
                    module.id = process.id
                    module.origin = "supervised"
                    module.healthy = false
                    module.processState = process.state.description
                    module.restarts = UInt32(clamping: process.restartCount)
                    response.modules.append(module)
                }
            }
            return response
        }
        router.register(Self.health) { _, _ in
            let (draining, connections) = status()
            var response = HostHealthResponse()
            response.status = draining ? "draining" : "serving"
            response.version = version
            response.uptimeSeconds = UInt64(max(0, Date().timeIntervalSince(startedAt)))
            response.connections = UInt32(clamping: connections)
            response.modules = UInt32(clamping: registry.entries.count)
            return response
        }
    }

    static func describe(_ request: HostDescribeRequest, registry: ModuleRegistry, hostMethods: [RPCMethodDescriptor]) throws -> HostDescribeResponse {
        var methods: [HostMethod] = hostMethods.map { descriptor in
            var method = HostMethod()
            method.name = descriptor.name
            method.serverStream = descriptor.kind == .serverStream
            method.requestType = descriptor.requestType
            method.responseType = descriptor.responseType
            return method
        }
        var files: [String: Google_Protobuf_FileDescriptorProto] = [:]
        func absorb(_ bytes: Data) throws {
            guard !bytes.isEmpty else { return }
            let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: bytes)
            for file in set.file where files[file.name] == nil { files[file.name] = file }
        }
        try absorb(Data(base64Encoded: KnockDescriptorSet.base64) ?? Data())
        for entry in registry.entries {
            for info in entry.descriptor.methods {
                var method = HostMethod()
                method.name = info.name
                method.serverStream = info.serverStream
                method.requestType = info.requestType
                method.responseType = info.responseType
                method.module = entry.descriptor.id
                methods.append(method)
            }
            // A module's descriptors that do not parse are left out; its methods still list.
            try? absorb(entry.descriptor.fileDescriptorSet)
        }
        var response = HostDescribeResponse()
        response.methods = methods
            .filter { request.prefix.isEmpty || $0.name.hasPrefix(request.prefix) }
            .sorted { $0.name < $1.name }
        var set = Google_Protobuf_FileDescriptorSet()
        set.file = files.keys.sorted().compactMap { files[$0] }
        response.fileDescriptorSet = try set.serializedBytes()
        return response
    }
}
