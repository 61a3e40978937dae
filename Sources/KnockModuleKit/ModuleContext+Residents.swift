extension ModuleContext {
    /// The resident `id` as the host knows them (the module's descriptor must ask for
    /// `residents.read`).
    /// - Parameter id: The resident's id.
    /// - Returns: The resident.
    /// - Throws: ``RPCError`` `NOT_FOUND` ("resident r-1 is not known") for a resident the host
    ///   does not know, `FAILED_PRECONDITION` where no host is reachable (a unit test without
    ///   one), and whatever else the host answers.
    public func resident(_ id: String) async throws -> CommunityResident {
        guard let host else { throw RPCError(code: .failedPrecondition, message: "no host to read resident \(id) from") }
        var request = CommunityGetResidentRequest()
        request.id = id
        do {
            return try await host.call(CommunityMethods.getResident, request, options: CallOptions(timeout: .seconds(5)))
        } catch let error as RPCError where error.code == .notFound {
            throw RPCError(code: .notFound, message: "resident \(id) is not known", cause: error)
        }
    }
}
