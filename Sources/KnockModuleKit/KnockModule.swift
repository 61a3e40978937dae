@_exported public import KnockMessages
@_exported public import KnockRPC

/// A door-knocking method (敲门工作法) as a strategy the host consults.
///
/// A module is one public type conforming to this protocol, in its own target that depends on
/// `KnockModuleKit` only. The same value runs linked into the host or, through
/// ``ModuleRunner``, as its own process that dials the host: the host treats both alike.
///
/// Every strategy point has a default that contributes nothing, so a module implements only the
/// points its method has: `neighbour-pairing` plans days; `mediation` assesses visits and serves
/// its own case methods.
public protocol KnockModule: Sendable {
    /// Who the module is and what it asks for. `id` is its namespace: its RPC methods are named
    /// `<id>.<Method>` and its store is its own.
    var descriptor: ModuleDescriptor { get }

    /// Judges a just-recorded visit. The host applies the suggestions (with this module as their
    /// source), de-duplicates them, and records what was raised.
    /// - Parameters:
    ///   - request: The visit and its resident.
    ///   - context: The module's logger, clock, configuration, store and host client.
    /// - Returns: Suggestions; empty for none.
    /// - Throws: Any error: the host logs it and counts it against the module; the visit is
    ///   recorded regardless.
    func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion]

    /// Contributes knocks to a day's plan; the host merges every method's contributions per
    /// member.
    /// - Parameters:
    ///   - request: The day and the community (and grids).
    ///   - context: The module's context.
    /// - Returns: Planned knocks; empty for none.
    /// - Throws: Any error: the plan is made without this module's contribution.
    func plan(_ request: ModulePlanRequest, context: ModuleContext) async throws -> [CommunityPlannedKnock]

    /// Reacts to an event the module asked for in its descriptor.
    /// - Parameters:
    ///   - event: What happened.
    ///   - context: The module's context.
    /// - Returns: Suggestions; empty for none.
    /// - Throws: Any error: logged and counted.
    func handle(_ event: ModuleEvent, context: ModuleContext) async throws -> [ModuleSuggestion]

    /// Checks the configuration this deployment gives the module (`modules.<id>.config`), so a
    /// mistake stops the host at start (or the module's process at registration) with a clear
    /// error instead of failing calls later.
    /// - Parameter configuration: The module's configuration.
    /// - Throws: Any error naming the key and what is wrong with it.
    func validate(configuration: [String: String]) throws

    /// Registers the module's own RPC methods, each named `<id>.<Method>`.
    /// - Parameters:
    ///   - router: The router to add to.
    ///   - context: The module's context, for the handlers to capture.
    func registerMethods(with router: inout RPCRouter, context: ModuleContext)
}

extension KnockModule {
    public func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] { [] }
    public func plan(_ request: ModulePlanRequest, context: ModuleContext) async throws -> [CommunityPlannedKnock] { [] }
    public func handle(_ event: ModuleEvent, context: ModuleContext) async throws -> [ModuleSuggestion] { [] }
    public func registerMethods(with router: inout RPCRouter, context: ModuleContext) {}
    public func validate(configuration: [String: String]) throws {}
}
