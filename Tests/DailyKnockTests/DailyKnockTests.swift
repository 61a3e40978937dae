import Foundation
import KnockModuleKit
import KnockTestSupport
import Logging
import SwiftProtobuf
import Testing
@testable import DailyKnock

/// 每天敲 without a host: its rules, configuration, suggestions, plan and end-of-day check,
/// with a memory store, a host in memory and fixed times.
@Suite("每天敲 rules")
struct DailyKnockTests {
    /// 2026-11-30 10:00 in Wuhan (``SmallStreet/morning``).
    static let morning = Date(timeIntervalSince1970: 1_796_004_000)

    static func resident(_ id: String, born: UInt32, tags: [CommunityResidentTag], reasons: [String] = [], community: String = "qinghe", grid: String = "qinghe-g01") -> CommunityResident {
        var resident = CommunityResident()
        resident.id = id
        resident.name = "居民\(id)"
        resident.householdID = "h-\(id)"
        resident.birthYear = born
        resident.tags = tags
        resident.keyPersonReasons = reasons
        resident.keyPerson = !reasons.isEmpty
        resident.gridID = grid
        resident.communityID = community
        return resident
    }

    static func keyPerson(_ resident: String, grid: String, cadence: UInt32, due: Bool = true, reasons: [String] = ["独居高龄"]) -> CommunityKeyPerson {
        var entry = CommunityKeyPerson()
        entry.residentID = resident
        entry.householdID = "h-\(resident)"
        entry.gridID = grid
        entry.communityID = String(grid.prefix { $0 != "-" })
        entry.cadenceDays = cadence
        entry.due = due
        entry.assignedMemberID = "m-1"
        entry.reasons = reasons.map { reason in
            var entry = CommunityKeyPersonReason()
            entry.reason = reason
            return entry
        }
        return entry
    }

    struct Bench {
        let module = DailyKnock()
        let store = MemoryModuleStore()
        let clock = ManualClock(DailyKnockTests.morning)
        var host = TestHost(residents: [], keyPersons: [])
        var configuration: [String: String] = [:]

        var context: ModuleContext {
            ModuleContext(moduleID: "daily-knock", logger: Logger(label: "test.daily-knock"), clock: clock, configuration: configuration, store: store, host: host)
        }

        func assess(_ resident: CommunityResident, at: Date = DailyKnockTests.morning, outcome: CommunityOutcome = .met) async throws -> [ModuleSuggestion] {
            var request = ModuleAssessRequest()
            request.visit.id = "v-\(UUID().uuidString)"
            request.visit.residentID = resident.id
            request.visit.outcome = outcome
            request.visit.channel = .door
            request.visit.at = Google_Protobuf_Timestamp(date: at)
            request.resident = resident
            request.communityID = resident.communityID
            return try await module.assess(request, context: context)
        }

        func tick(date: String, time: String, community: String = "qinghe") async throws -> [ModuleSuggestion] {
            var event = ModuleEvent()
            event.kind = "tick"
            event.communityID = community
            event.at = Google_Protobuf_Timestamp(date: DailyKnockTests.morning)
            event.attributes = ["date": date, "time": time]
            return try await module.handle(event, context: context)
        }
    }

    // MARK: Configuration

    @Test("configured tag rules apply everywhere, a community may override or switch them off")
    func configuration() throws {
        let settings = try DailyKnockSettings([
            "rule.empty-nest": "7", "rule.empty-nest.qingyi": "3", "rule.unemployed.qinghe": "14", "rule.elderly.qingyi": "off",
            "rule.elderly": "30", "day_ends": "19:30", "discharge_days": "10",
        ])
        #expect(settings.cadences(in: "qinghe") == [.emptyNest: 7, .unemployed: 14, .elderly: 30])
        #expect(settings.cadences(in: "qingyi") == [.emptyNest: 3])
        #expect(settings.dayEnds == "19:30")
        #expect(settings.dischargeDays == 10)
        let defaults = try DailyKnockSettings([:])
        #expect(defaults.dayEnds == "20:00")
        #expect(defaults.dischargeDays == 14)
        #expect(defaults.cadences(in: "qinghe").isEmpty)
        let rules = KeyPersonRules(community: "qinghe", settings: settings, calendar: .knockDefault).rules
        #expect(rules.map(\.id) == ["alone-80", "discharged", "disabled-alone", "tag:elderly", "tag:empty-nest", "tag:unemployed"])
        #expect(rules.map(\.cadenceDays) == [1, 1, 1, 30, 7, 14])
        #expect(rules[1].forDays == 10)
        #expect(rules.allSatisfy { $0.reason.hasPrefix("每天敲: ") })
    }

    @Test("bad settings are refused naming the key", arguments: [
        (["rule.empty-nest": "0"], "rule.empty-nest: '0' is not a cadence"),
        (["rule.empty-nest": "weekly"], "rule.empty-nest: 'weekly' is not a cadence"),
        (["rule.empty-nest": "off"], "rule.empty-nest: 'off' is not a cadence"),
        (["rule.lonely": "7"], "rule.lonely: unknown resident tag 'lonely'"),
        (["rule.empty-nest.": "7"], "name the community"),
        (["rule.empty-nest.qinghe": "366"], "rule.empty-nest.qinghe: '366' is not a cadence"),
        (["day_ends": "8pm"], "day_ends: '8pm' is not a time HH:MM"),
        (["day_ends": "24:00"], "day_ends: '24:00' is not a time HH:MM"),
        (["day_ends": "9:00"], "day_ends: '9:00' is not a time HH:MM"),
        (["discharge_days": "0"], "discharge_days: '0' is not a whole number of days"),
        (["time_zone": "Asia/Shanghai"], "time_zone: unknown key"),
        (["cadence": "1"], "cadence: unknown key"),
    ])
    func badSettings(configuration: [String: String], detail: String) throws {
        let error = try #require(throws: RPCError.self) { try DailyKnockSettings(configuration) }
        #expect(error.code == .failedPrecondition)
        #expect(error.message.hasPrefix("daily-knock configuration: "))
        #expect(error.message.contains(detail))
    }

    // MARK: Rules

    @Test("living alone and 80 or over is daily, by tag or by birth year; living alone at 70 is not")
    func aloneAndOld() throws {
        let rules = KeyPersonRules(community: "qinghe", settings: try DailyKnockSettings([:]), calendar: .knockDefault)
        func applies(_ resident: CommunityResident) -> [String] {
            rules.evaluate(resident, at: Self.morning, dischargeSeen: nil).filter(\.applies).map(\.rule.id)
        }
        #expect(applies(Self.resident("r-1", born: 1938, tags: [.livingAlone, .advancedAge])) == ["alone-80"])
        #expect(applies(Self.resident("r-2", born: 1946, tags: [.livingAlone])) == ["alone-80"])
        #expect(applies(Self.resident("r-3", born: 1956, tags: [.livingAlone])) == [])
        #expect(applies(Self.resident("r-4", born: 1930, tags: [.advancedAge])) == [])
        #expect(applies(Self.resident("r-5", born: 1960, tags: [.disabled, .livingAlone])) == ["disabled-alone"])
        #expect(applies(Self.resident("r-6", born: 1960, tags: [.disabled])) == [])
        let findings = rules.evaluate(Self.resident("r-3", born: 1956, tags: [.livingAlone]), at: Self.morning, dischargeSeen: nil)
        #expect(findings[0].why == "living alone but aged 70, under 80")
        #expect(KeyPersonRules.cadence(of: findings) == 0)
    }

    @Test("recently discharged is daily for two weeks from the day the tag was first seen, with until")
    func discharged() throws {
        let rules = KeyPersonRules(community: "qinghe", settings: try DailyKnockSettings([:]), calendar: .knockDefault)
        let resident = Self.resident("r-7", born: 1950, tags: [.recentlyDischarged])
        let seen = Self.morning.addingTimeInterval(-3 * 86_400)
        let now = try #require(rules.evaluate(resident, at: Self.morning, dischargeSeen: seen).first { $0.rule.id == "discharged" })
        #expect(now.applies)
        #expect(now.until.date == seen.addingTimeInterval(14 * 86_400))
        let later = try #require(rules.evaluate(resident, at: seen.addingTimeInterval(14 * 86_400), dischargeSeen: seen).first { $0.rule.id == "discharged" })
        #expect(!later.applies)
        #expect(later.why == "recently discharged, first seen 2026-11-27: the 14 days ended 2026-12-11")
        let unseen = try #require(rules.evaluate(resident, at: Self.morning, dischargeSeen: nil).first { $0.rule.id == "discharged" })
        #expect(unseen.applies)
        #expect(unseen.why == "recently discharged, not seen on a visit before: daily until 2026-12-14")
    }

    @Test("days are the deployment's: 07:00 in Wuhan is the day before in a deployment on UTC")
    func deploymentDays() throws {
        let early = Self.morning.addingTimeInterval(-3 * 3_600)  // 2026-11-30 07:00 in Wuhan, 2026-11-29 23:00 UTC
        let resident = Self.resident("r-7", born: 1950, tags: [.recentlyDischarged])
        func why(_ calendar: ModuleCalendar) throws -> String {
            let rules = KeyPersonRules(community: "qinghe", settings: try DailyKnockSettings([:]), calendar: calendar)
            return try #require(rules.evaluate(resident, at: early, dischargeSeen: early).first { $0.rule.id == "discharged" }).why
        }
        #expect(try why(.knockDefault) == "recently discharged, first seen 2026-11-30: daily until 2026-12-14")
        #expect(try why(ModuleCalendar(timeZone: TimeZone(identifier: "UTC")!)) == "recently discharged, first seen 2026-11-29: daily until 2026-12-13")
    }

    @Test("configured tags apply per community")
    func configuredTags() throws {
        let settings = try DailyKnockSettings(["rule.empty-nest": "7", "rule.empty-nest.qingyi": "off"])
        let resident = Self.resident("r-2", born: 1950, tags: [.elderly, .emptyNest])
        let qinghe = KeyPersonRules(community: "qinghe", settings: settings, calendar: .knockDefault).evaluate(resident, at: Self.morning, dischargeSeen: nil)
        #expect(qinghe.filter(\.applies).map(\.rule.id) == ["tag:empty-nest"])
        #expect(KeyPersonRules.cadence(of: qinghe) == 7)
        let qingyi = KeyPersonRules(community: "qingyi", settings: settings, calendar: .knockDefault).evaluate(resident, at: Self.morning, dischargeSeen: nil)
        #expect(qingyi.filter(\.applies).isEmpty)
    }

    // MARK: Assess

    @Test("a visit flags what the rules ask for, with reason, cadence and until; what is listed already is not flagged again")
    func assessFlags() async throws {
        var bench = Bench()
        bench.configuration = ["rule.empty-nest": "7"]
        let discharged = Self.resident("r-7", born: 1940, tags: [.livingAlone, .recentlyDischarged])
        let suggestions = try await bench.assess(discharged)
        let flags = suggestions.map(\.flagKeyPerson)
        #expect(flags.map(\.reason) == ["每天敲: 独居高龄 living alone, 80 or over", "每天敲: 近期出院 recently discharged"])
        #expect(flags.map(\.cadenceDays) == [1, 1])
        #expect(!flags[0].hasUntil)
        #expect(flags[1].until.date == Self.morning.addingTimeInterval(14 * 86_400))

        // A week later, listed already: nothing new; the two weeks still run from the first visit.
        var listed = discharged
        listed.keyPersonReasons = flags.map(\.reason) + ["独居高龄"]
        #expect(try await bench.assess(listed, at: Self.morning.addingTimeInterval(7 * 86_400)).isEmpty)
        // After two weeks the discharge reason comes off; the host's own reason is left alone.
        let after = try await bench.assess(listed, at: Self.morning.addingTimeInterval(15 * 86_400))
        #expect(after.map(\.unflagKeyPerson.reason) == ["每天敲: 近期出院 recently discharged"])
        #expect(after.allSatisfy { $0.flagKeyPerson.reason.isEmpty })

        let emptyNest = try await bench.assess(Self.resident("r-2", born: 1950, tags: [.elderly, .emptyNest]))
        #expect(emptyNest.map(\.flagKeyPerson.cadenceDays) == [7])
        #expect(emptyNest.map(\.flagKeyPerson.reason) == ["每天敲: 空巢 empty-nest, every 7 days"])
    }

    @Test("when the tag goes, the reason comes off; a new discharge later starts a new two weeks")
    func assessUnflags() async throws {
        let bench = Bench()
        let tagged = Self.resident("r-7", born: 1960, tags: [.recentlyDischarged])
        _ = try await bench.assess(tagged)
        let untagged = Self.resident("r-7", born: 1960, tags: [], reasons: ["每天敲: 近期出院 recently discharged"])
        let off = try await bench.assess(untagged, at: Self.morning.addingTimeInterval(86_400))
        #expect(off.map(\.unflagKeyPerson.reason) == ["每天敲: 近期出院 recently discharged"])
        let again = try await bench.assess(Self.resident("r-7", born: 1960, tags: [.recentlyDischarged]), at: Self.morning.addingTimeInterval(30 * 86_400))
        #expect(again.first?.flagKeyPerson.until.date == Self.morning.addingTimeInterval(44 * 86_400))
    }

    // MARK: Tick

    @Test("from the end of the day a daily key person still due raises an alert, once per resident and day")
    func endOfDay() async throws {
        var bench = Bench()
        bench.host = TestHost(residents: [], keyPersons: [
            Self.keyPerson("r-1", grid: "qinghe-g01", cadence: 1),
            Self.keyPerson("r-2", grid: "qinghe-g01", cadence: 7),
            Self.keyPerson("r-8", grid: "qinghe-g01", cadence: 1, due: false),
        ])
        _ = try await bench.assess(Self.resident("r-0", born: 1990, tags: []))  // learns qinghe-g01
        #expect(try await bench.tick(date: "2026-11-30", time: "19:59").isEmpty)
        let alerts = try await bench.tick(date: "2026-11-30", time: "20:00").map(\.raiseAlert)
        #expect(alerts.map(\.residentID) == ["r-1"])
        #expect(alerts.first?.urgency == .high)
        #expect(alerts.first?.message == "每天敲: r-1, a daily key person, was not reached on 2026-11-30 by 20:00")
        #expect(try await bench.tick(date: "2026-11-30", time: "20:01").isEmpty)
        #expect(try await bench.tick(date: "2026-11-30", time: "21:00", community: "qingyi").isEmpty)
        #expect(try await bench.tick(date: "2026-12-01", time: "20:00").map(\.raiseAlert.residentID) == ["r-1"])

        var early = Bench()
        early.configuration = ["day_ends": "17:30"]
        early.host = bench.host
        _ = try await early.assess(Self.resident("r-0", born: 1990, tags: []))
        #expect(try await early.tick(date: "2026-11-30", time: "17:30").count == 1)
    }

    @Test("the end-of-day check reads the host's list page by page: every daily key person of a large community is alerted on")
    func endOfDayInPages() async throws {
        var bench = Bench()
        let entries = (0..<2_500).map { Self.keyPerson(String(format: "r-%05d", $0), grid: "qinghe-g01", cadence: 1) }
        let host = TestHost(residents: [], keyPersons: entries)
        bench.host = host
        _ = try await bench.assess(Self.resident("r-0", born: 1990, tags: []))  // learns qinghe-g01
        let alerts = try await bench.tick(date: "2026-11-30", time: "20:00").map(\.raiseAlert.residentID)
        #expect(alerts.count == 2_500)
        #expect(Set(alerts) == Set(entries.map(\.residentID)))
        #expect(host.calls.filter { $0 == "knock.community.ListKeyPersons" }.count == 3)
    }

    // MARK: Methods

    @Test("Evaluate says which rules apply to a resident and why; callers outside the community are refused")
    func evaluate() async throws {
        var bench = Bench()
        bench.configuration = ["rule.empty-nest": "7"]
        bench.host = TestHost(residents: [
            Self.resident("r-1", born: 1938, tags: [.livingAlone, .advancedAge]),
            Self.resident("r-3", born: 2016, tags: [.child], community: "qingyi", grid: "qingyi-g01"),
        ], keyPersons: [])
        let desk = RuleDesk(context: bench.context)
        let staff = ModuleCaller(identity: "knock://member/m-2", roles: ["staff"], communityID: "qinghe")
        var request = DailyKnockEvaluateRequest()
        request.residentID = "r-1"
        let answer = try await desk.evaluate(request, caller: staff)
        #expect(answer.cadenceDays == 1)
        #expect(answer.findings.map(\.rule.id) == ["alone-80", "discharged", "disabled-alone", "tag:empty-nest"])
        #expect(answer.findings.map(\.applies) == [true, false, false, false])
        #expect(answer.findings[0].why == "living alone, tagged advanced age")
        request.residentID = "r-3"
        #expect(await code { try await desk.evaluate(request, caller: staff) } == .notFound)
        request.residentID = ""
        #expect(await code { try await desk.evaluate(request, caller: staff) } == .invalidArgument)
        request.residentID = "r-1"
        #expect(await code { try await desk.evaluate(request, caller: ModuleCaller(identity: "knock://integrator/hospital")) } == .permissionDenied)

        var explain = DailyKnockExplainRulesRequest()
        #expect(try await desk.explain(explain, caller: staff).rules.count == 4)
        #expect(await code { try await desk.explain(explain, caller: ModuleCaller(identity: "knock://admin/chen")) } == .invalidArgument)
        explain.communityID = "qingyi"
        #expect(await code { try await desk.explain(explain, caller: staff) } == .permissionDenied)
        #expect(try await desk.explain(explain, caller: ModuleCaller(identity: "knock://admin/chen")).rules.count == 4)
    }

    @Test("the descriptor asks for the key-persons list and residents and handles the tick; it leaves planning the key persons to the host")
    func descriptor() throws {
        let descriptor = DailyKnock().descriptor
        #expect(descriptor.id == "daily-knock")
        #expect(descriptor.nameZh == "每天敲")
        #expect(descriptor.events == ["tick"])
        #expect(Set(descriptor.permissions) == ["keypersons.read", "residents.read"])
        #expect(descriptor.assessesVisits && !descriptor.plansDays)
        #expect(!descriptor.fileDescriptorSet.isEmpty)
        try descriptor.validate()
    }
}

/// The status code `body` fails with, or `nil` if it succeeds.
func code(_ body: () async throws -> some Any) async -> StatusCode? {
    do {
        _ = try await body()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        return .unknown
    }
}
