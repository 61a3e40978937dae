public import KnockModuleKit
public import Logging
import NIOCore
import Synchronization

/// Consults the modules at the strategy points: every enabled module in parallel, each within
/// its time limit. A module that errs, hangs or is gone costs its own contribution (logged and
/// counted), never the caller's call.
public final class ModuleCoordinator: Sendable {
    let registry: ModuleRegistry
    let limits: @Sendable (String) -> ModuleLimits
    let enabled: @Sendable (_ moduleID: String, _ communityID: String) -> Bool
    /// The communities that enabled a module (empty: every community): the scope of what the
    /// module may read and change through the host's services.
    let communities: @Sendable (_ moduleID: String) -> [String]
    let logger: Logger

    /// Creates a coordinator.
    /// - Parameters:
    ///   - registry: The modules.
    ///   - limits: Time limits per module id.
    ///   - communities: The communities that enabled each module (empty: every community).
    ///   - logger: Where failures are logged.
    public init(
        registry: ModuleRegistry,
        limits: @escaping @Sendable (String) -> ModuleLimits = { _ in ModuleLimits() },
        communities: @escaping @Sendable (_ moduleID: String) -> [String] = { _ in [] },
        logger: Logger
    ) {
        self.registry = registry
        self.limits = limits
        self.communities = communities
        self.enabled = { module, community in
            let enabled = communities(module)
            return enabled.isEmpty || community.isEmpty || enabled.contains(community)
        }
        self.logger = logger
    }

    /// Whether any module enabled for `communityID` assesses visits (if none, the host need not
    /// prepare an assessment at all).
    public func assessesVisits(in communityID: String) -> Bool {
        !assessing(in: communityID).modules.isEmpty
    }

    /// Whether any module enabled for `communityID` asked for events of `kind`.
    public func wants(_ kind: String, in communityID: String) -> Bool {
        registry.entries.contains { $0.descriptor.events.contains(kind) && enabled($0.descriptor.id, communityID) }
    }

    /// The collections of their own stores that the enabled modules assessing visits in
    /// `communityID` want with each visit (their descriptors' `visit_records`), by module.
    public func visitRecordCollections(in communityID: String) -> [String: [String]] {
        assessing(in: communityID).collections
    }

    /// The modules assessing visits in one community, and the collections they want with each.
    private struct Assessing: Sendable {
        var modules: [ModuleRegistry.Entry]
        var collections: [String: [String]]
    }

    /// ``Assessing`` by community, as of a registry generation: every visit asks, and working
    /// it out copied every module's entry several times per visit.
    private let assessingCache = Mutex<(generation: Int, byCommunity: [String: Assessing])>((-1, [:]))

    /// The modules assessing visits in `communityID` (`""`: enabled anywhere), worked out once
    /// per change of the registry.
    private func assessing(in communityID: String) -> Assessing {
        // Read before the entries: entries newer than it are only worked out again.
        let generation = registry.generation
        if let known = assessingCache.withLock({ $0.generation == generation ? $0.byCommunity[communityID] : nil }) {
            return known
        }
        let modules = registry.entries.filter { $0.descriptor.assessesVisits && enabled($0.descriptor.id, communityID) }
        let collections = modules.reduce(into: [String: [String]]()) { wanted, entry in
            if !entry.descriptor.visitRecords.isEmpty { wanted[entry.descriptor.id] = entry.descriptor.visitRecords }
        }
        let worked = Assessing(modules: modules, collections: collections)
        assessingCache.withLock { cache in
            if cache.generation != generation { cache = (generation, [:]) }
            cache.byCommunity[communityID] = worked
        }
        return worked
    }

    /// Asks every enabled module that assesses visits; returns their suggestions, attributed,
    /// without duplicates, and the modules that did not answer.
    /// - Parameters:
    ///   - request: The visit and its resident.
    ///   - visitRecords: What each module gets along with it (``visitRecordCollections(in:)``
    ///     as read from its store), by module. A module asked again after `ABORTED` gets none
    ///     and reads its store afresh.
    public func assess(_ request: ModuleAssessRequest, visitRecords: [String: ModuleVisitRecords] = [:]) async -> (suggestions: [ModuleSuggestion], failures: [ModuleFailure]) {
        let modules = assessing(in: request.communityID).modules
        // Each module's records follow the shared request's bytes: a message's fields may come
        // in several parts, and a part holding only `visit_records` sets just that field.
        // Records too large to send along are left for the module to read itself: a request
        // near the frame limit would fail its every assessment. A linked module gets the same
        // records, set on its request (and nothing is serialized for it).
        var sent: [String: ModuleVisitRecords] = [:]
        var appended: [String: ByteBuffer] = [:]
        for entry in modules {
            let module = entry.descriptor.id
            guard let records = visitRecords[module], records.bytesAbout <= Self.maximumVisitRecordBytes else { continue }
            if entry.linked == nil {
                var part = ModuleAssessRequest()
                part.visitRecords = records
                guard let bytes = try? part.serializedByteBuffer() else { continue }
                appended[module] = bytes
            }
            sent[module] = records
        }
        let records = sent
        let (answers, failures) = await consult(modules, ModuleMethods.assess, request, appending: appended, limit: { $0.assess }) { points, attempt in
            guard attempt == 1, let own = records[points.moduleID] else { return try await points.assess(request) }
            var whole = request
            whole.visitRecords = own
            return try await points.assess(whole)
        }
        let attributed = answers.flatMap { id, answer in answer.suggestions.map { $0.suggested(by: id) } }
        return (Self.deduplicated(attributed), failures)
    }

    /// Asks every enabled module that plans days; returns their knocks as they planned them,
    /// each attributed to its module (`suggestedBy`) and dated, and the modules that did not
    /// answer. The community core merges them with its own (``KnockPlanner``).
    /// - Parameter request: The day and the community.
    public func plan(_ request: ModulePlanRequest) async -> (knocks: [CommunityPlannedKnock], failures: [ModuleFailure]) {
        let modules = registry.entries.filter { $0.descriptor.plansDays && enabled($0.descriptor.id, request.communityID) }
        let (answers, failures) = await consult(modules, ModuleMethods.plan, request, limit: { $0.plan }) { points, _ in
            try await points.plan(request)
        }
        let attributed = answers.flatMap { id, answer in
            answer.knocks.map { knock in
                var knock = knock
                knock.suggestedBy = id
                if knock.date.isEmpty { knock.date = request.date }
                return knock
            }
        }
        return (attributed, failures)
    }

    /// Tells every enabled module that asked for `event.kind`; returns their suggestions.
    /// - Parameter event: What happened.
    public func handle(_ event: ModuleEvent) async -> (suggestions: [ModuleSuggestion], failures: [ModuleFailure]) {
        let modules = registry.entries.filter { $0.descriptor.events.contains(event.kind) && enabled($0.descriptor.id, event.communityID) }
        let (answers, failures) = await consult(modules, ModuleMethods.handle, event, limit: { $0.handle }) { points, _ in
            try await points.handle(event)
        }
        let attributed = answers.flatMap { id, answer in answer.suggestions.map { $0.suggested(by: id) } }
        return (Self.deduplicated(attributed), failures)
    }

    /// The most bytes of records sent along with a visit to one module, as
    /// ``KnockMessages/ModuleVisitRecords/bytesAbout`` counts them (a record may hold up to
    /// 1 MiB, and a module may name eight collections; frames hold 4 MiB by default).
    static let maximumVisitRecordBytes = 256 * 1024

    /// How many times a module is asked when it answers ABORTED (a conflict with a change made
    /// at the same time, which it may resolve by reading again).
    static let attemptsOnConflict = 3

    /// Calls `method` with `request` on each of `modules` at once: over its connection, the
    /// request serialized once for all, or directly for a linked module (``LinkedModule``; all
    /// the linked ones together, ``LinkedConsultation``). A module that answers `ABORTED` is
    /// asked again (``attemptsOnConflict``).
    /// - Parameters:
    ///   - appending: Bytes a module's first call carries after the request's, by module.
    ///   - linked: The call to a linked module's strategy points, with the attempt.
    private func consult<Request, Answer>(
        _ modules: [ModuleRegistry.Entry],
        _ method: RPCMethod<Request, Answer>,
        _ request: Request,
        appending: [String: ByteBuffer] = [:],
        limit: @escaping @Sendable (ModuleLimits) -> Duration,
        linked: @escaping @Sendable (_ points: StrategyPoints, _ attempt: Int) async throws -> Answer
    ) async -> (answers: [(String, Answer)], failures: [ModuleFailure]) {
        let inProcess = modules.compactMap { entry in
            entry.linked.map { (id: entry.descriptor.id, module: $0, limit: limit(limits(entry.descriptor.id))) }
        }
        let remote = modules.filter { $0.linked == nil }
        let askLinked: @Sendable () async -> [(String, Result<Answer, RPCError>)] = {
            let outcomes = await LinkedConsultation.ask(inProcess.map { ($0.module, $0.limit) }, method: method.name, attempts: Self.attemptsOnConflict, linked)
            return Array(zip(inProcess.map(\.id), outcomes))
        }
        guard !remote.isEmpty else { return tally(await askLinked()) }
        let serialized: Result<ByteBuffer, RPCError>
        do {
            serialized = .success(try request.serializedByteBuffer())
        } catch {
            serialized = .failure(RPCError(wrapping: error))
        }
        let outcomes = await withTaskGroup(of: [(String, Result<Answer, RPCError>)].self) { group in
            if !inProcess.isEmpty { group.addTask(operation: askLinked) }
            for entry in remote {
                let options = CallOptions(timeout: limit(limits(entry.descriptor.id)))
                group.addTask {
                    var attempt = 1
                    while true {
                        do {
                            var whole = try serialized.get()
                            if attempt == 1, let part = appending[entry.descriptor.id] {
                                whole.writeImmutableBuffer(part)
                            }
                            return [(entry.descriptor.id, .success(try await entry.connection.call(method, serialized: whole, options: options)))]
                        } catch {
                            let failure = RPCError(wrapping: error)
                            // ABORTED is a module's "what I read changed meanwhile; try again"
                            // (two visits to one resident at once): the work is asked for again.
                            guard failure.code == .aborted, attempt < Self.attemptsOnConflict else {
                                return [(entry.descriptor.id, .failure(failure))]
                            }
                            attempt += 1
                        }
                    }
                }
            }
            return await group.reduce(into: []) { $0.append(contentsOf: $1) }
        }
        return tally(outcomes)
    }

    /// Records and logs each module's outcome; the answers and failures, by module id.
    private func tally<Answer>(_ outcomes: [(String, Result<Answer, RPCError>)]) -> (answers: [(String, Answer)], failures: [ModuleFailure]) {
        var answers: [(String, Answer)] = []
        var failures: [ModuleFailure] = []
        for (id, result) in outcomes {
            switch result {
            case .success(let answer):
                registry.record(id, .answered)
                answers.append((id, answer))
            case .failure(let error):
                registry.record(id, error.code == .deadlineExceeded ? .timedOut : .failed)
                logger.warning("module did not contribute", metadata: ["module": "\(id)", "code": "\(error.code)", "error": "\(error.message)"])
                failures.append(ModuleFailure(moduleID: id, code: error.code, message: error.message))
            }
        }
        // Stable order: by module id, whatever order the answers arrived in.
        answers.sort { $0.0 < $1.0 }
        failures.sort { $0.moduleID < $1.moduleID }
        return (answers, failures)
    }

    /// Drops suggestions that say the same thing as an earlier one (same kind, resident and
    /// subject), keeping the first.
    static func deduplicated(_ suggestions: [ModuleSuggestion]) -> [ModuleSuggestion] {
        var seen = Set<String>()
        return suggestions.filter { seen.insert($0.identity).inserted }
    }
}

extension ModuleSuggestion {
    /// What makes two suggestions the same, whoever made them.
    var identity: String {
        switch kind {
        case .raiseNeed(let need): "need|\(need.residentID)|\(need.category)"
        case .flagKeyPerson(let flag): "flag|\(flag.residentID)|\(flag.reason)"
        case .unflagKeyPerson(let unflag): "unflag|\(unflag.residentID)"
        case .scheduleKnock(let knock): "knock|\(knock.residentID)|\(knock.date)|\(knock.channel.rawValue)"
        case .raiseAlert(let alert) where !alert.id.isEmpty: "alert-id|\(alert.id)"
        case .raiseAlert(let alert): "alert|\(alert.residentID)|\(alert.message)"
        case .refer(let refer): "refer|\(refer.residentID)|\(refer.toModule)"
        case nil: "empty|\(suggestedBy)|\(reason)"
        }
    }
}

extension ModuleVisitRecords {
    /// About the size of these records on the wire: each record's value, key, collection and
    /// index fields, and a few bytes of framing each. Within a few bytes a record of what
    /// serializing would give, without serializing.
    var bytesAbout: Int {
        found.reduce(0) { total, record in
            total + record.value.count + record.key.utf8.count + record.collection.utf8.count + 32
                + record.index.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 8 }
        }
    }
}
