/// A module's strategy points as the host calls them: assess a visit, plan a day, handle an
/// event. Each waits until the module is configured and attributes what the module contributes
/// to it (`suggested_by`), so the answers are the same whichever way the host reaches the
/// module: ``ModuleService`` serves them over a connection as `knock.module.*`, and a host that
/// links the module in calls them directly.
public struct StrategyPoints: Sendable {
    /// The module.
    public let module: any KnockModule
    /// The context its code runs with.
    public let context: ModuleContext
    /// The module's id (its descriptor is read once: a module may build it on every read).
    public let moduleID: String

    /// Creates the strategy points of `module`.
    /// - Parameters:
    ///   - module: The module.
    ///   - context: Its context.
    public init(module: any KnockModule, context: ModuleContext) {
        self.module = module
        self.context = context
        self.moduleID = module.descriptor.id
    }

    /// The module's assessment of a just-recorded visit: its suggestions, attributed to it.
    /// - Parameter request: The visit, its resident and the records that come with it.
    /// - Throws: What the module throws.
    public func assess(_ request: ModuleAssessRequest) async throws -> ModuleAssessResponse {
        await context.waitUntilConfigured()
        let id = moduleID
        var response = ModuleAssessResponse()
        response.suggestions = try await module.assess(request, context: context).map { $0.suggested(by: id) }
        return response
    }

    /// The module's planned knocks for a day, attributed to it.
    /// - Parameter request: The day and the community.
    /// - Throws: What the module throws.
    public func plan(_ request: ModulePlanRequest) async throws -> ModulePlanResponse {
        await context.waitUntilConfigured()
        let id = moduleID
        var response = ModulePlanResponse()
        response.knocks = try await module.plan(request, context: context).map { knock in
            var knock = knock
            knock.suggestedBy = id
            return knock
        }
        return response
    }

    /// The module's suggestions on an event, attributed to it.
    /// - Parameter event: What happened.
    /// - Throws: What the module throws.
    public func handle(_ event: ModuleEvent) async throws -> ModuleHandleResponse {
        await context.waitUntilConfigured()
        let id = moduleID
        var response = ModuleHandleResponse()
        response.suggestions = try await module.handle(event, context: context).map { $0.suggested(by: id) }
        return response
    }
}
