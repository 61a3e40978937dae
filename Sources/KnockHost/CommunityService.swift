import Foundation
public import KnockDomain
public import KnockModuleKit
public import KnockStore
public import Logging

/// The community core's services (`knock.community.*`): visits, the day's plan, needs, key
/// persons, alerts, coverage, residents, roster import and list export. Every call first
/// resolves its caller (``CallerResolver``) and runs within that caller's scope.
public struct CommunityService: RPCService {
    let database: KnockDatabase
    let resolver: CallerResolver
    let pipeline: VisitPipeline
    let coordinator: ModuleCoordinator
    let lifecycle: NeedLifecycle
    let timeZone: TimeZone
    let now: @Sendable () -> Date
    let logger: Logger

    /// Creates the services.
    /// - Parameters:
    ///   - database: The store.
    ///   - coordinator: Consults the methods (assess, plan, handle).
    ///   - deployment: The scope of the whole deployment (its administrator's).
    ///   - timeZone: Where days begin and end (Asia/Shanghai for Wuhan).
    ///   - lifecycle: The needs' rules and due times.
    ///   - grants: The role, scope and permissions recorded for each integrator's and
    ///     department's identity URI (``GrantBook``); without one they may call nothing here.
    ///   - now: The clock.
    ///   - logger: Where the services log.
    public init(
        database: KnockDatabase, coordinator: ModuleCoordinator, deployment: Scope, timeZone: TimeZone,
        lifecycle: NeedLifecycle = NeedLifecycle(), grants: @escaping @Sendable (String) -> AccessGrant? = { _ in nil },
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.database = database
        self.coordinator = coordinator
        self.resolver = CallerResolver(database: database, deployment: deployment, grants: grants) { module in
            coordinator.registry.entry(module).map { (Set($0.descriptor.permissions), coordinator.communities(module)) }
        }
        self.pipeline = VisitPipeline(database: database, coordinator: coordinator, lifecycle: lifecycle, timeZone: timeZone, logger: logger)
        self.lifecycle = lifecycle
        self.timeZone = timeZone
        self.now = now
        self.logger = logger
    }

    public func registerMethods(with router: inout RPCRouter) {
        let service = self
        router.register(CommunityMethods.recordVisit) { request, context in
            try await service.serve(context) { caller in try await service.pipeline.record(request, caller: caller) }
        }
        router.register(CommunityMethods.getResident) { request, context in
            try await service.serve(context) { caller in
                let (resident, keyPerson) = try await service.database.residentWithKeyPerson(id: request.id, caller: caller)
                return resident.message(keyPerson: keyPerson, revealContacts: caller.seesContacts)
            }
        }
        router.register(CommunityMethods.listMembers) { request, context in
            try await service.serve(context) { caller in try await service.listMembers(request, caller: caller) }
        }
        router.register(CommunityMethods.getMember) { request, context in
            try await service.serve(context) { caller in try await service.getMember(request, caller: caller) }
        }
        registerNeeds(with: &router)
        registerLists(with: &router)
        registerPlan(with: &router)
        registerRoster(with: &router)
        registerSchedule(with: &router)
    }

    /// Resolves the caller of `context`, runs `work` for it, and turns the core's errors into
    /// statuses.
    func serve<Response>(_ context: ServerContext, _ work: (Caller) async throws -> Response) async throws -> Response {
        try await translatingCommunityErrors {
            try await work(try await resolver.caller(of: context))
        }
    }

    /// The day `text` names, or today in the deployment's time zone when it is empty.
    func day(_ text: String, field: String) throws -> CalendarDay {
        guard !text.isEmpty else { return CalendarDay(containing: now(), in: timeZone) }
        do {
            return try CalendarDay(parsing: text)
        } catch {
            throw RPCError.invalidField(field, "must be a day, YYYY-MM-DD, not \"\(text)\"")
        }
    }
}
