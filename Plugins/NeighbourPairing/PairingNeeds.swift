import KnockModuleKit

/// The `pairing` needs of an elder on the needs list (raised when a visit found them without a
/// pair), closed when they are paired.
struct PairingNeeds: Sendable {
    let context: ModuleContext

    /// Resolves the elder's active `pairing` needs, best effort: the pair stands whatever the
    /// host answers. An open need is first assigned to the member who made the pair (or to the
    /// module, for the administrator).
    /// - Returns: The ids of the needs resolved.
    func resolve(elderID: String, owner: String, note: String) async -> [String] {
        guard let host = context.host else { return [] }
        let options = CallOptions(timeout: .seconds(5))
        do {
            var list = CommunityListNeedsRequest()
            list.residentID = elderID
            list.category = "pairing"
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
            context.logger.warning("could not resolve the pairing needs of a paired elder", metadata: ["elder": "\(elderID)", "error": "\(error)"])
            return []
        }
    }
}
