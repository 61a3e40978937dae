/// A module's store reached through the host over RPC: how a module in its own process keeps
/// its records. The host namespaces every call by the module's certificate identity.
public struct RemoteModuleStore: ModuleStore {
    let host: any HostCalling
    let timeout: Duration

    /// Creates a store that calls the host.
    /// - Parameters:
    ///   - host: The connection to the host.
    ///   - timeout: The deadline of each store call (default 5 s).
    public init(host: any HostCalling, timeout: Duration = .seconds(5)) {
        self.host = host
        self.timeout = timeout
    }

    private var options: CallOptions { CallOptions(timeout: timeout) }

    public func put(_ record: ModuleRecord, expectedVersion: UInt64?) async throws -> UInt64 {
        var request = ModulePutRequest()
        request.record = record
        if let expectedVersion { request.expectedVersion = expectedVersion }
        return try await host.call(ModuleMethods.put, request, options: options).version
    }

    public func get(collection: String, key: String) async throws -> ModuleRecord? {
        var request = ModuleGetRequest()
        request.collection = collection
        request.key = key
        let response = try await host.call(ModuleMethods.get, request, options: options)
        return response.found ? response.record : nil
    }

    public func query(collection: String, where: [String: String], limit: Int, after: String?) async throws -> (records: [ModuleRecord], next: String?) {
        var request = ModuleQueryRequest()
        request.collection = collection
        request.where = `where`
        request.limit = UInt32(clamping: limit)
        request.afterKey = after ?? ""
        let response = try await host.call(ModuleMethods.query, request, options: options)
        return (response.records, response.nextKey.isEmpty ? nil : response.nextKey)
    }

    public func delete(collection: String, key: String) async throws -> Bool {
        var request = ModuleDeleteRequest()
        request.collection = collection
        request.key = key
        return try await host.call(ModuleMethods.delete, request, options: options).deleted
    }

    public func batch(_ operations: [ModuleBatchRequest.Operation]) async throws -> [UInt64] {
        var request = ModuleBatchRequest()
        request.operations = operations
        return try await host.call(ModuleMethods.batch, request, options: options).versions
    }
}
