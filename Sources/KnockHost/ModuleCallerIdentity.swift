import KnockModuleKit
import KnockPKI

extension ServerContext {
    /// The module id of the caller, from its certificate's `knock://module/<id>` identity.
    /// - Throws: ``RPCError`` `PERMISSION_DENIED` if the caller is not a module.
    func callingModuleID() throws -> String {
        let identities = (peer?.uriSANs ?? []).compactMap(KnockIdentity.init(uri:))
        guard let module = identities.first(where: { $0.kind == .module }) else {
            let who = identities.first?.uri ?? peer?.subject ?? "an unidentified caller"
            throw RPCError(code: .permissionDenied, message: "\(method) is for modules; \(who) is not one")
        }
        return module.id
    }
}
