extension ModuleContext {
    /// Resolves a resident's active needs of `category` on the resident-needs list once the work
    /// they asked for is done (an elder paired, a resident enrolled with the canteen), best
    /// effort: what the module did stands whatever the host answers, and a failure is logged.
    /// An open need is first assigned to `owner`. The module's descriptor must ask for
    /// `needs.read` and `needs.write`.
    /// - Parameters:
    ///   - residentID: The resident.
    ///   - category: The needs' category (`meals`, `pairing`).
    ///   - listedOwner: Only needs owned by this owner (`module:canteen`); empty for any owner.
    ///   - owner: Who an open need is assigned to before it is resolved (`member:m-2`,
    ///     `module:canteen`).
    ///   - note: The resolution's note.
    /// - Returns: The ids of the needs resolved; none where no host is reachable or it refused.
    public func resolveNeeds(
        of residentID: String, category: String, ownedBy listedOwner: String = "", assigningTo owner: String, note: String
    ) async -> [String] {
        guard let host else { return [] }
        let options = CallOptions(timeout: .seconds(5))
        do {
            var list = CommunityListNeedsRequest()
            list.residentID = residentID
            list.category = category
            list.owner = listedOwner
            var resolved: [String] = []
            for need in try await host.call(CommunityMethods.listNeeds, list, options: options).needs {
                if need.status == .open {
                    var assign = CommunityUpdateNeedRequest()
                    assign.id = need.id
                    assign.step = .assign
                    assign.owner = owner
                    _ = try await host.call(CommunityMethods.updateNeed, assign, options: options)
                }
                var resolve = CommunityUpdateNeedRequest()
                resolve.id = need.id
                resolve.step = .resolve
                resolve.note = note
                resolved.append(try await host.call(CommunityMethods.updateNeed, resolve, options: options).id)
            }
            return resolved
        } catch {
            logger.warning("could not resolve a resident's needs", metadata: ["resident": "\(residentID)", "category": "\(category)", "error": "\(error)"])
            return []
        }
    }
}
