import KnockModuleKit

/// The canteen's `meals` needs of a resident on the needs list, closed when the resident is
/// enrolled: what the need asked for is done.
struct MealsNeeds: Sendable {
    let context: ModuleContext

    /// Resolves the resident's active `meals` needs owned by the canteen (assigning an open one
    /// to the canteen first), best effort: the enrolment stands whatever the host answers.
    /// - Returns: The ids of the needs resolved.
    func resolve(residentID: String, note: String) async -> [String] {
        guard let host = context.host else { return [] }
        let options = CallOptions(timeout: .seconds(5))
        do {
            var list = CommunityListNeedsRequest()
            list.residentID = residentID
            list.category = "meals"
            list.owner = "module:canteen"
            var resolved: [String] = []
            for need in try await host.call(CommunityMethods.listNeeds, list, options: options).needs {
                if need.status == .open {
                    var assign = CommunityUpdateNeedRequest()
                    assign.id = need.id
                    assign.step = .assign
                    assign.owner = "module:canteen"
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
            context.logger.warning("could not resolve the meals needs of an enrolled resident", metadata: ["resident": "\(residentID)", "error": "\(error)"])
            return []
        }
    }
}
