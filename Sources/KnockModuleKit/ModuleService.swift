/// Serves a ``KnockModule`` over RPC: its strategy points (``StrategyPoints``) as
/// `knock.module.*` and its own `<id>.*` methods. ``ModuleRunner`` serves a module in its own
/// process with it; the host serves a linked-in module with it on an in-process connection (for
/// its own methods; the strategy points of a linked-in module the host calls directly, through
/// the same ``StrategyPoints``), so both run the same code.
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
        let points = StrategyPoints(module: module, context: context)
        let id = module.descriptor.id
        router.register(ModuleMethods.describe) { _, _ in
            module.descriptor
        }
        router.register(ModuleMethods.assess) { request, _ in try await points.assess(request) }
        router.register(ModuleMethods.plan) { request, _ in try await points.plan(request) }
        router.register(ModuleMethods.handle) { event, _ in try await points.handle(event) }
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
