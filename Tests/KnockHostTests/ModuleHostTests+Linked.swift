import Foundation
import KnockHost
import KnockModuleKit
import KnockTestSupport
import Synchronization
import Testing

/// A linked-in module's strategy points are called directly, without its connection; these
/// tests hold the direct calls to the rules of a call over a connection, comparing a linked-in
/// module with the same module dialed in where both can run.
extension ModuleHostTests {
    @Test("a linked-in and a dialed-in method get the same records with a visit, and neither gets records too large for a frame")
    func recordsBothWays() async throws {
        let inside = NoteKeeper(id: "inside", collections: ["notes"])
        let outside = NoteKeeper(id: "outside", collections: ["notes"])
        let stores = ModuleStores()
        let harness = try await start(builtIns: [inside], stores: stores)
        let remote = try harness.dialIn(outside)
        #expect(await waitFor { harness.host.registry.entries.count == 2 })
        #expect(harness.host.registry.entries.map { "\($0.descriptor.id):\($0.linked != nil)" } == ["inside:true", "outside:false"])

        func records(_ value: String) -> ModuleVisitRecords {
            var record = ModuleRecord()
            record.collection = "notes"
            record.key = "r-1"
            record.value = Data(value.utf8)
            record.version = 1
            var records = ModuleVisitRecords()
            records.collections = ["notes"]
            records.found = [record]
            return records
        }
        var request = ModuleAssessRequest()
        request.resident = resident("r-1")
        let note = records("a note on r-1")
        var (_, failures) = await harness.host.coordinator.assess(request, visitRecords: ["inside": note, "outside": note])
        #expect(failures.isEmpty)
        for keeper in [inside, outside] {
            #expect(keeper.seen.map(\.lookedUp) == [["notes"]])
            #expect(keeper.seen.map(\.found) == [["notes/r-1 v1: a note on r-1"]])
        }

        // 300,000 bytes: not sent to either; both read their own stores.
        let large = String(repeating: "记", count: 100_000)
        for id in ["inside", "outside"] {
            var record = ModuleRecord()
            record.collection = "notes"
            record.key = "r-1"
            record.value = Data(large.utf8)
            _ = try await stores.store(id).put(record, expectedVersion: nil)
        }
        (_, failures) = await harness.host.coordinator.assess(request, visitRecords: ["inside": records(large), "outside": records(large)])
        #expect(failures.isEmpty)
        for keeper in [inside, outside] {
            #expect(keeper.seen.last?.lookedUp == nil)
            #expect(keeper.seen.last?.notes == large)
        }
        remote.cancel()
        _ = await remote.result
        await harness.stop()
    }

    @Test("a method that dials in is asked from the next visit on, and one that leaves is asked no more")
    func comingAndGoing() async throws {
        let harness = try await start(builtIns: [ElderCheck()])
        #expect(await waitFor { harness.host.registry.entries.count == 1 })
        var request = ModuleAssessRequest()
        request.resident = resident("r-1")
        request.communityID = "qinghe"
        #expect(harness.host.coordinator.visitRecordCollections(in: "qinghe").isEmpty)
        _ = await harness.host.coordinator.assess(request)

        let outside = NoteKeeper(id: "outside", collections: ["notes"])
        let remote = try harness.dialIn(outside)
        #expect(await waitFor { harness.host.registry.entries.count == 2 })
        #expect(harness.host.coordinator.visitRecordCollections(in: "qinghe") == ["outside": ["notes"]])
        var (_, failures) = await harness.host.coordinator.assess(request)
        #expect(failures.isEmpty)
        #expect(outside.seen.count == 1)

        remote.cancel()
        _ = await remote.result
        #expect(await waitFor { harness.host.registry.entries.count == 1 })
        #expect(harness.host.coordinator.visitRecordCollections(in: "qinghe").isEmpty)
        (_, failures) = await harness.host.coordinator.assess(request)
        #expect(failures.isEmpty)
        #expect(outside.seen.count == 1)
        await harness.stop()
    }

    @Test("what a linked-in method throws comes back as it would over a connection: UNKNOWN for a Swift error, the method's own code and message for an RPCError")
    func errorsBothWays() async throws {
        let harness = try await start(builtIns: [Failing(id: "inside")])
        let remote = try harness.dialIn(Failing(id: "outside"))
        #expect(await waitFor { harness.host.registry.entries.count == 2 })

        let assessed = await harness.host.coordinator.assess(ModuleAssessRequest())
        #expect(assessed.failures.map(\.moduleID) == ["inside", "outside"])
        #expect(assessed.failures.map(\.code) == [.unknown, .unknown])
        #expect(assessed.failures.map(\.message) == ["the handler failed", "the handler failed"])
        let planned = await harness.host.coordinator.plan(ModulePlanRequest())
        #expect(planned.failures.map(\.code) == [.failedPrecondition, .failedPrecondition])
        #expect(planned.failures.map(\.message) == ["no plan without a day", "no plan without a day"])
        #expect(harness.host.registry.health("inside").failed == 2)
        remote.cancel()
        _ = await remote.result
        await harness.stop()
    }

    @Test("a linked-in method that ignores cancellation is still cut off at its time limit; the others answer")
    func deafCutOff() async throws {
        let deaf = Deaf()
        let harness = try await start(builtIns: [ElderCheck(), deaf], limits: ModuleLimits(assess: .milliseconds(300)))
        #expect(await waitFor { harness.host.registry.entries.count == 2 })
        var request = ModuleAssessRequest()
        request.resident = resident("r-2")
        request.visit.outcome = .noAnswer
        let started = ContinuousClock.now
        let (suggestions, failures) = await harness.host.coordinator.assess(request)
        let took = ContinuousClock.now - started
        #expect(took < .seconds(2), "assess waited \(took) for a method that ignores cancellation")
        #expect(suggestions.map(\.suggestedBy) == ["elder-check"])
        #expect(failures.map(\.code) == [.deadlineExceeded])
        #expect(harness.host.registry.health("deaf").timedOut == 1)
        // Its work was told to stop, and goes on until it lets itself.
        #expect(await waitFor { deaf.cancelled })
        deaf.release()
        await harness.stop()
    }

    @Test("linked-in methods with different time limits are each cut off at their own; one that answers is not held up")
    func ownTimeLimits() async throws {
        let short = Sleeper(id: "sleeper-short")
        let long = Sleeper(id: "sleeper-long")
        let limits = ["sleeper-short": ModuleLimits(assess: .milliseconds(200)), "sleeper-long": ModuleLimits(assess: .milliseconds(1_500))]
        let harness = try await start(builtIns: [ElderCheck(), short, long]) { limits[$0] ?? ModuleLimits() }
        #expect(await waitFor { harness.host.registry.entries.count == 3 })
        var request = ModuleAssessRequest()
        request.resident = resident("r-2")
        request.visit.outcome = .noAnswer
        let assessing = Task { await harness.host.coordinator.assess(request) }
        // The short limit ends its method's work while the long one's still runs.
        #expect(await waitFor { short.cancelled })
        #expect(!long.cancelled)
        let (suggestions, failures) = await assessing.value
        #expect(long.cancelled)
        #expect(suggestions.map(\.suggestedBy) == ["elder-check"])
        #expect(failures.map(\.moduleID) == ["sleeper-long", "sleeper-short"])
        #expect(failures.map(\.code) == [.deadlineExceeded, .deadlineExceeded])
        await harness.stop()
    }

    @Test("cancelling the caller cancels a linked-in method's work and ends the call at once")
    func callerCancelled() async throws {
        let sleeper = Sleeper()
        let harness = try await start(builtIns: [sleeper], limits: ModuleLimits(assess: .seconds(60)))
        #expect(await waitFor { harness.host.registry.entries.count == 1 })
        let caller = Task { await harness.host.coordinator.assess(ModuleAssessRequest()) }
        #expect(await waitFor { sleeper.started })
        let started = ContinuousClock.now
        caller.cancel()
        let (suggestions, failures) = await caller.value
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(suggestions.isEmpty)
        #expect(failures.map(\.code) == [.cancelled])
        #expect(await waitFor { sleeper.cancelled })
        await harness.stop()
    }
}

/// Fails at every strategy point: a Swift error when assessing, an RPCError when planning.
struct Failing: KnockModule {
    struct Broken: Error {}
    let id: String

    var descriptor: ModuleDescriptor {
        ModuleDescriptor(id: id, nameZh: "出错", nameEn: "Failing", summary: "Fails.", assessesVisits: true, plansDays: true)
    }

    func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] {
        throw Broken()
    }

    func plan(_ request: ModulePlanRequest, context: ModuleContext) async throws -> [CommunityPlannedKnock] {
        throw RPCError(code: .failedPrecondition, message: "no plan without a day")
    }
}

/// Assesses by waiting, deaf to cancellation, until the test releases it; notes that it was
/// cancelled.
final class Deaf: KnockModule {
    private let state = Mutex<(cancelled: Bool, released: Bool)>((false, false))

    var cancelled: Bool { state.withLock { $0.cancelled } }

    func release() {
        state.withLock { $0.released = true }
    }

    var descriptor: ModuleDescriptor {
        ModuleDescriptor(id: "deaf", nameZh: "不听", nameEn: "Deaf", summary: "Ignores cancellation.", assessesVisits: true)
    }

    func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] {
        while !state.withLock({ $0.released }) {
            if Task.isCancelled { state.withLock { $0.cancelled = true } }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return []
    }
}

/// Assesses by sleeping an hour; notes that it started and that it was cancelled.
final class Sleeper: KnockModule {
    private let state = Mutex<(started: Bool, cancelled: Bool)>((false, false))
    let id: String

    init(id: String = "sleeper") {
        self.id = id
    }

    var started: Bool { state.withLock { $0.started } }
    var cancelled: Bool { state.withLock { $0.cancelled } }

    var descriptor: ModuleDescriptor {
        ModuleDescriptor(id: id, nameZh: "睡着", nameEn: "Sleeper", summary: "Sleeps.", assessesVisits: true)
    }

    func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] {
        state.withLock { $0.started = true }
        do {
            try await Task.sleep(for: .seconds(3_600))
        } catch {
            state.withLock { $0.cancelled = true }
            throw error
        }
        return []
    }
}
