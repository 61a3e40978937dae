/// Serves a ``KnockModule`` over RPC: its strategy points as `knock.module.*` and its own
/// `<id>.*` methods. The host uses it for linked-in modules (on an in-process connection) and
/// ``ModuleRunner`` for a module in its own process, so both run the same code path.
public struct ModuleService: RPCService {
    /// The module served.
    public let module: any KnockModule
    /// The context its code runs with.
    public let context: ModuleContext

    /// Creates the service.
    /// - Parameters:
    ///   - module: The module.
    ///   - context: Its context.
    public init(module: any KnockModule, context: ModuleContext) {
        self.module = module
        self.context = context
    }

    public func registerMethods(with router: inout RPCRouter) {
        let module = self.module
        let context = self.context
        let id = module.descriptor.id
        router.register(ModuleMethods.describe) { _, _ in
            module.descriptor
        }
        router.register(ModuleMethods.assess) { request, _ in
            await context.waitUntilConfigured()
            var response = ModuleAssessResponse()
            response.suggestions = try await module.assess(request, context: context).map { $0.suggested(by: id) }
            return response
        }
        router.register(ModuleMethods.plan) { request, _ in
            await context.waitUntilConfigured()
            var response = ModulePlanResponse()
            response.knocks = try await module.plan(request, context: context).map { knock in
                var knock = knock
                knock.suggestedBy = id
                return knock
            }
            return response
        }
        router.register(ModuleMethods.handle) { event, _ in
            await context.waitUntilConfigured()
            var response = ModuleHandleResponse()
            response.suggestions = try await module.handle(event, context: context).map { $0.suggested(by: id) }
            return response
        }
        var own = RPCRouter()
        module.registerMethods(with: &own, context: context)
        // The module's own methods also wait for its configuration.
        var gated = RPCRouter()
        for method in own.methods {
            guard let route = own.route(for: method.name) else { continue }
            gated.register(raw: method) { request, serverContext, responses in
                await context.waitUntilConfigured()
                try await route.handler(request, serverContext, responses)
            }
        }
        own = gated
        for method in own.methods {
            precondition(method.name.hasPrefix(id + "."), "module \(id) registered \(method.name): its methods must be named \(id).<Method>")
        }
        router.merge(own)
    }
}

extension ModuleSuggestion {
    /// A suggestion to raise a need for a resident.
    /// - Parameters:
    ///   - residentID: The resident.
    ///   - category: The need's category (`meals`, `pairing`, …).
    ///   - urgency: How urgent it is.
    ///   - summary: What is needed, for the people who act on it.
    ///   - ownerModule: The module that takes the need on, if one does.
    ///   - reason: Why the method suggests it.
    /// - Returns: The suggestion.
    public static func raisingNeed(
        residentID: String, category: String, urgency: CommunityUrgency = .normal, summary: String,
        ownerModule: String? = nil, reason: String = ""
    ) -> ModuleSuggestion {
        var need = ModuleRaiseNeed()
        need.residentID = residentID
        need.category = category
        need.urgency = urgency
        need.summary = summary
        if let ownerModule { need.ownerModule = ownerModule }
        var suggestion = ModuleSuggestion()
        suggestion.raiseNeed = need
        suggestion.reason = reason
        return suggestion
    }

    /// The suggestion with its source set.
    /// - Parameter moduleID: The module that made it.
    public func suggested(by moduleID: String) -> ModuleSuggestion {
        var copy = self
        copy.suggestedBy = moduleID
        return copy
    }
}
