import ArgumentParser
import Foundation
import Histogram
import KnockAllocator
import KnockBuiltIns
import KnockDomain
import KnockHost
import KnockModuleKit
import KnockPKI
import KnockRPC
import KnockStore
import KnockTLS
import KnockTestSupport
import Logging
import NIOPosix

/// `knock-bench ingest`: the community core under load, on SQLite in a file (the default
/// store, synchronous=FULL: every acknowledged visit is on disk).
///
/// 1. Visits recorded through the RPC over mutual TLS at 64 in flight, each going through the
///    whole pipeline (stored, assessed by every method in parallel, suggestions applied):
///    visits/s and latency.
/// 2. A district (200,000 households in 650 grids): the day's plan of the whole district,
///    assembled in the host (key persons due, scheduled knocks, methods' contributions, merged
///    per member, saved) — seconds.
/// 3. The needs list of a grid member and of a community's staff through the RPC — p50/p99.
struct IngestBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Visits/s through the RPC on SQLite, a district's day plan, and the needs list query."
    )

    @Option(help: "Seconds of visit recording measured.") var duration: Double = 10
    @Option(help: "Seconds of warm-up before measuring.") var warmup: Double = 1
    @Option(help: "Visits in flight.") var inflight: Int = 64
    @Option(help: "Households in the district.") var households: Int = 200_000
    @Option(help: "Grids in the district.") var grids: Int = 650
    @Option(help: "Needs raised across the district before querying the needs list.") var needs: Int = 20_000
    @Option(help: "Needs-list queries per caller kind.") var queries: Int = 2_000
    @Option(help: "Only run: visits, plan, needs, or all.") var only: String = "all"
    @Option(help: "Methods loaded: built-in (the six knock-host links in, five of which assess every visit), some of them by id (daily-knock,canteen), elder-check (a stand-in that assesses every visit, raising alerts and needs), or none.") var methods: String = "built-in"

    /// Refuses `--methods` naming a method knock-host does not link in, before anything runs.
    func validate() throws {
        guard !["none", "elder-check", "built-in"].contains(methods) else { return }
        for id in methods.split(separator: ",").map(String.init) where BuiltInMethods.method(id: id) == nil {
            throw ValidationError("no built-in method \(id); the built-in methods are \(BuiltInMethods.all.map(\.descriptor.id).joined(separator: ", "))")
        }
    }

    /// The methods loaded, with their default configuration and every community enabled.
    var modules: [any KnockModule] {
        switch methods {
        case "none": []
        case "elder-check": [ElderCheck()]
        case "built-in": BuiltInMethods.all
        default: methods.split(separator: ",").compactMap { BuiltInMethods.method(id: String($0)) }
        }
    }

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("knock-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print("knock-bench ingest: SQLite (WAL, synchronous=FULL) in \(folder.path), mutual TLS 1.3 on loopback, \(cores) cores, \(ProcessAllocator.description)")
        let assessing = modules.filter(\.descriptor.assessesVisits).map(\.descriptor.id)
        print("methods loaded: \(modules.isEmpty ? "none" : modules.map(\.descriptor.id).joined(separator: ", ")); assessing every visit: \(assessing.isEmpty ? "none" : assessing.joined(separator: ", "))")
        if only == "all" || only == "visits" {
            try await benchmarkVisits(store: folder.appendingPathComponent("visits.sqlite").path)
        }
        if only == "all" || only == "plan" || only == "needs" {
            try await benchmarkDistrict(store: folder.appendingPathComponent("district.sqlite").path)
        }
    }

    // MARK: Visits

    private func benchmarkVisits(store: String) async throws {
        try await KnockDatabase.withDatabase(at: .sqlite(path: store), logger: Self.quiet) { database in
            let street = DemoStreet.gongrencun()
            _ = try await street.seed(into: database)
            try await Self.serving(database, methods: modules) { community in
                let app = try await community.connect(.administrator, "admin", configuration: Self.connection)
                defer { app.close() }
                let residents = street.residents
                // Each visit by a member who works the resident's grid, as in the street.
                let membersByGrid = street.members.reduce(into: [String: [Member]]()) { byGrid, member in
                    for grid in member.gridIDs { byGrid[grid, default: []].append(member) }
                }
                let start = ContinuousClock.now
                let measureFrom = start + .milliseconds(Int(warmup * 1_000))
                let end = measureFrom + .milliseconds(Int(duration * 1_000))
                // The process's CPU time over the measured window: what a visit costs, whatever
                // else the machine runs (visits/s moves with that, CPU per visit much less).
                async let cpu: Duration = {
                    try? await Task.sleep(until: measureFrom, clock: .continuous)
                    let before = CPUTime.now(CLOCK_PROCESS_CPUTIME_ID)
                    try? await Task.sleep(until: end, clock: .continuous)
                    return CPUTime.now(CLOCK_PROCESS_CPUTIME_ID) - before
                }()
                let (count, histogram, raised) = try await withThrowingTaskGroup(of: (Int, Histogram<UInt64>, Int).self) { group in
                    for worker in 0..<inflight {
                        group.addTask {
                            var histogram = Self.histogram()
                            var count = 0, raised = 0, sequence = 0
                            var random = SystemRandomNumberGenerator()
                            while true {
                                let sent = ContinuousClock.now
                                if sent >= end { break }
                                sequence += 1
                                let resident = residents.randomElement(using: &random)!
                                var request = CommunityRecordVisitRequest()
                                request.visit.id = "bench-\(worker)-\(sequence)"
                                request.visit.residentID = resident.id
                                let members = membersByGrid[resident.gridID] ?? street.members
                                request.visit.memberID = members[sequence % members.count].id
                                request.visit.channel = .door
                                request.visit.outcome = sequence % 5 == 0 ? .noAnswer : .met
                                request.visit.at = .init(date: Date())
                                request.visit.observations = "精神状态良好，屋内整洁"
                                request.visit.requests = sequence % 7 == 0 ? ["希望送餐上门"] : []
                                let response = try await app.call(CommunityMethods.recordVisit, request)
                                precondition(!response.duplicate && response.problems.isEmpty, "\(response)")
                                if sent >= measureFrom {
                                    count += 1
                                    raised += response.raised.count
                                    _ = histogram.record(UInt64((ContinuousClock.now - sent).nanoseconds))
                                }
                            }
                            return (count, histogram, raised)
                        }
                    }
                    var total = 0, raised = 0
                    var merged = Self.histogram()
                    for try await (count, histogram, suggestions) in group {
                        total += count
                        raised += suggestions
                        merged.add(histogram)
                    }
                    return (total, merged, raised)
                }
                print("")
                let used = await cpu
                print("| visits recorded | in flight | visits/s | p50 ms | p99 ms | suggestions applied | CPU µs per visit | cores busy |")
                print("|---|---|---|---|---|---|---|---|")
                print(String(format: "| %d | %d | %.0f | %.1f | %.1f | %d | %.0f | %.2f |", count, inflight, Double(count) / duration,
                             Self.ms(histogram, 50), Self.ms(histogram, 99), raised,
                             Double(used.nanoseconds) / 1_000 / Double(max(count, 1)), Double(used.nanoseconds) / 1e9 / duration))
            }
        }
    }

    // MARK: The district

    private func benchmarkDistrict(store: String) async throws {
        try await KnockDatabase.withDatabase(at: .sqlite(path: store), logger: Self.quiet) { database in
            let generated = ContinuousClock.now
            let district = DemoStreet.district(households: households, grids: grids, asOf: Date())
            let madeIn = ContinuousClock.now - generated
            let seeded = ContinuousClock.now
            let summary = try await district.seed(into: database)
            print("")
            print("district: \(summary?.households ?? 0) households, \(summary?.residents ?? 0) residents, \(summary?.grids ?? 0) grids, \(summary?.members ?? 0) members, \(summary?.keyPersons ?? 0) key persons; generated in \(Self.seconds(madeIn)), stored in \(Self.seconds(ContinuousClock.now - seeded))")
            try await Self.serving(database, methods: modules) { community in
                if only == "all" || only == "plan" {
                    let admin = Caller(provenance: .administrator("bench"), scope: .district("*"))
                    let today = CalendarDay(containing: Date(), in: IngestBenchmark.shanghai)
                    print("")
                    print("| day plan of | run | seconds | knocks | members with knocks | unassigned |")
                    print("|---|---|---|---|---|---|")
                    for run in 1...3 {
                        let started = ContinuousClock.now
                        let plan = try await community.service.assemblePlan(day: today, caller: admin)
                        let took = ContinuousClock.now - started
                        print("| the whole district | \(run) | \(Self.seconds(took)) | \(plan.merged.knockCount) | \(plan.merged.plans.filter { !$0.knocks.isEmpty }.count) | \(plan.merged.unassigned.count) |")
                    }
                    // Where the time goes: the key persons due, and saving the merged plan.
                    let reading = ContinuousClock.now
                    let due = try await database.keyPersons(caller: Caller(provenance: .host, scope: .district("*"), audited: false), dueOn: today, timeZone: IngestBenchmark.shanghai)
                    let read = ContinuousClock.now - reading
                    let plan = try await community.service.assemblePlan(day: today, caller: admin)
                    let saving = ContinuousClock.now
                    try await database.savePlan(day: today, scope: .district("*"), knocks: plan.merged.plans.flatMap(\.knocks) + plan.merged.unassigned)
                    print("of which: \(due.count) key persons due read in \(Self.seconds(read)); the merged plan saved in \(Self.seconds(ContinuousClock.now - saving))")
                }
                if only == "all" || only == "needs" {
                    try await benchmarkNeeds(district, database: database, community: community)
                }
            }
        }
    }

    private func benchmarkNeeds(_ district: DemoStreet, database: KnockDatabase, community: CommunityServer) async throws {
        let lifecycle = NeedLifecycle()
        let residents = district.residents
        let categories = ["meals", "medicine", "repair", "dispute", "employment", "cleaning"]
        let raiseStarted = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<32 {
                group.addTask {
                    for index in stride(from: lane, to: needs, by: 32) {
                        let resident = residents[(index * 7_919) % residents.count]
                        let need = try lifecycle.raise(
                            id: "need-\(index)", resident: resident, category: categories[index % categories.count],
                            urgency: Urgency.allCases[index % Urgency.allCases.count], summary: "bench need \(index)",
                            owner: nil, by: .host, visitID: nil, at: Date().addingTimeInterval(-Double(index % 10) * 86_400)
                        )
                        try await database.raiseNeed(need)
                    }
                }
            }
            try await group.waitForAll()
        }
        print("")
        print("raised \(needs) needs in \(Self.seconds(ContinuousClock.now - raiseStarted))")
        print("")
        print("| needs list of | queries | p50 ms | p99 ms | needs per answer |")
        print("|---|---|---|---|---|")
        let gridMember = district.members.first { !$0.roles.contains(.staff) }!
        let staff = district.members.first { $0.roles.contains(.staff) }!
        for (label, member, overdue) in [("a grid member (own grids)", gridMember, false), ("community staff (community)", staff, false),
                                         ("community staff, overdue only", staff, true)] {
            let app = try await community.connect(.member, member.id, configuration: Self.connection)
            defer { app.close() }
            var histogram = Self.histogram()
            var size = 0
            for _ in 0..<queries {
                var request = CommunityListNeedsRequest()
                request.overdueOnly = overdue
                request.limit = 100
                let sent = ContinuousClock.now
                let page = try await app.call(CommunityMethods.listNeeds, request)
                _ = histogram.record(UInt64((ContinuousClock.now - sent).nanoseconds))
                size = page.needs.count
            }
            print(String(format: "| %@ | %d | %.2f | %.2f | %d |", label, queries, Self.ms(histogram, 50), Self.ms(histogram, 99), size))
        }
    }

    // MARK: Serving

    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    static let quiet: Logger = {
        var logger = Logger(label: "knock.bench")
        logger.logLevel = .warning
        return logger
    }()

    /// The community services over mutual TLS on loopback, with the methods loaded.
    static func serving(_ database: KnockDatabase, methods: [any KnockModule], _ body: (CommunityServer) async throws -> Void) async throws {
        try await CommunityServer.serve(database, builtIns: methods, connection: connection, logger: quiet, body)
    }

    /// Room for 64+ calls in flight on one connection; no keepalive to skew the figures.
    static let connection = ConnectionConfiguration(maxConcurrentCalls: 1_024, keepaliveInterval: nil)

    static func histogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    }

    static func ms(_ histogram: Histogram<UInt64>, _ percentile: Double) -> Double {
        Double(histogram.valueAtPercentile(percentile)) / 1_000_000
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
