import Foundation
import KnockDomain
import Testing
import KnockStore

@Suite("Community: suggestions")
struct SuggestionTests {
    @Test("many calls at once raising one need of a kind for a resident: one is applied, the rest are duplicates of it", arguments: TestEngine.all)
    func together(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let outcomes = try await withThrowingTaskGroup(of: [AppliedSuggestion].self) { group in
                for n in 0..<24 {
                    group.addTask {
                        let resident = n % 2 == 0 ? "r1a" : "r2"
                        return try await database.apply([
                            Suggestion(kind: .raiseNeed(residentID: resident, category: "meals", urgency: .high, summary: "需要送餐 \(n)", ownerModule: "canteen"),
                                       suggestedBy: .module("canteen")),
                            Suggestion(kind: .raiseAlert(residentID: "nobody", urgency: .low, message: "x"), suggestedBy: .module("urgent-knock")),
                        ], visitID: nil, at: Community.time(hour: 9), lifecycle: NeedLifecycle())
                    }
                }
                var all: [[AppliedSuggestion]] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            var applied: [String: [String]] = [:]
            var duplicates: [String: Set<String>] = [:]
            for call in outcomes {
                #expect(call.count == 2)
                guard case .rejected = call[1].outcome else {
                    Issue.record("a suggestion about an unknown resident was not rejected: \(call[1])")
                    continue
                }
                switch call[0].outcome {
                case .applied(let id): applied[call[0].suggestion.residentID, default: []].append(id)
                case .duplicate(let id): duplicates[call[0].suggestion.residentID, default: []].insert(id)
                case .rejected(let reason): Issue.record("rejected: \(reason)")
                }
            }
            #expect(applied["r1a"]?.count == 1)
            #expect(applied["r2"]?.count == 1)
            #expect(duplicates["r1a"] == Set(applied["r1a"] ?? []))
            #expect(duplicates["r2"] == Set(applied["r2"] ?? []))
            #expect(try await database.needs(caller: Community.host).items.count == 2)
        }
    }

    @Test("suggestions apply with their method's provenance; repeats are duplicates; unknown residents are rejected", arguments: TestEngine.all)
    func applyAndDedupe(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let day = try CalendarDay(parsing: "2026-03-03")
            let knock = PlannedKnock(day: day, residentID: "r1a", householdID: "", gridID: "", communityID: "", channel: .door, priority: 80,
                                     reasons: [PlannedKnock.Reason(why: "出院第3天", suggestedBy: .module("forged"))])
            let suggestions = [
                Suggestion(kind: .raiseNeed(residentID: "r1a", category: "meals", urgency: .high, summary: "需要送餐", ownerModule: "canteen"), suggestedBy: .module("canteen")),
                Suggestion(kind: .flagKeyPerson(residentID: "r1a", reason: "近期出院", cadenceDays: 1, until: nil), suggestedBy: .module("opportunity")),
                Suggestion(kind: .scheduleKnock(knock), suggestedBy: .module("opportunity")),
                Suggestion(kind: .raiseAlert(residentID: "r1a", urgency: .critical, message: "独居老人未应答"), suggestedBy: .module("urgent-knock")),
                Suggestion(kind: .refer(residentID: "r1a", toModule: "mediation", note: "邻里纠纷"), suggestedBy: .module("mediation")),
                Suggestion(kind: .raiseAlert(residentID: "nobody", urgency: .low, message: "x"), suggestedBy: .module("urgent-knock")),
                Suggestion(kind: .raiseNeed(residentID: "r2", category: " ", urgency: .low, summary: "x", ownerModule: nil), suggestedBy: .module("canteen")),
            ]
            let first = try await database.apply(suggestions, visitID: "v-1", at: Community.time(hour: 10), lifecycle: NeedLifecycle())
            #expect(first.map(\.suggestion) == suggestions)
            var ids: [String] = []
            for applied in first.prefix(5) {
                guard case .applied(let id) = applied.outcome else {
                    Issue.record("expected applied: \(applied)")
                    continue
                }
                ids.append(id)
            }
            #expect(first[5].outcome == .rejected(reason: "resident nobody not found"))
            guard case .rejected = first[6].outcome else {
                Issue.record("an empty category should be rejected: \(first[6])")
                return
            }

            // Applied again: every one a duplicate of what the first made.
            let second = try await database.apply(Array(suggestions.prefix(5)), visitID: "v-2", at: Community.time(hour: 11), lifecycle: NeedLifecycle())
            #expect(second.map(\.outcome) == ids.map { .duplicate(existingID: $0) })

            // What was made, and who it says made it.
            let need = try await database.need(id: ids[0], caller: Community.host)
            #expect(need.raisedBy == .module("canteen"))
            #expect(need.owner == .module("canteen"))
            #expect(need.status == .assigned)
            #expect(need.visitID == "v-1")
            let entry = try await database.keyPerson(residentID: "r1a", caller: Community.host)
            #expect(entry.reasons.map(\.flaggedBy) == [.module("opportunity")])
            #expect(ids[1] == "r1a")
            let scheduled = try await database.scheduledKnocks(day: day, scope: .grids(["g1"]))
            #expect(scheduled.count == 1)
            #expect(scheduled.first?.reasons == [PlannedKnock.Reason(why: "出院第3天", suggestedBy: .module("opportunity"))])
            #expect(scheduled.first?.gridID == "g1")
            #expect(scheduled.first?.priority == 80)
            #expect(try await database.scheduledKnocks(day: day, scope: .grids(["g2"])).isEmpty)
            let alert = try #require(try await database.alerts(caller: Community.host).first)
            #expect(alert.id == ids[3])
            #expect(alert.raisedBy == .module("urgent-knock"))

            let referrals = try await database.referrals(caller: Community.communityStaff, toModule: "mediation")
            #expect(referrals.map(\.id) == [ids[4]])
            #expect(referrals.first?.referredBy == .module("mediation"))
            #expect(referrals.first?.visitID == "v-1")
            #expect(try await database.referrals(caller: Community.host, toModule: "canteen").isEmpty)
            let closed = try await database.closeReferral(id: ids[4], caller: Community.host, at: Community.time(hour: 12))
            #expect(!closed.isOpen)
            let closedTwice = await #expect(throws: DomainError.self) {
                try await database.closeReferral(id: ids[4], caller: Community.host, at: Community.time(hour: 12))
            }
            #expect(closedTwice?.code == .invalidTransition)
            #expect(try await database.referrals(caller: Community.host, toModule: "mediation").isEmpty)
            #expect(try await database.referrals(caller: Community.host, toModule: "mediation", openOnly: false) == [closed])

            // Once the need is done and the alert acknowledged, the same suggestions make new records.
            _ = try await database.transitionNeed(id: ids[0], step: .resolve, caller: Community.host, at: Community.time(hour: 12), lifecycle: NeedLifecycle())
            try await database.acknowledgeAlert(id: ids[3], note: "ok", caller: Community.host, at: Community.time(hour: 12))
            let third = try await database.apply([suggestions[0], suggestions[3], suggestions[4]], visitID: nil, at: Community.time(hour: 13), lifecycle: NeedLifecycle())
            for applied in third {
                guard case .applied(let id) = applied.outcome else {
                    Issue.record("expected applied: \(applied)")
                    continue
                }
                #expect(!ids.contains(id))
            }

            // Unflag removes the reason (and the entry with it); a second unflag finds nothing to do.
            let unflag = Suggestion(kind: .unflagKeyPerson(residentID: "r1a", reason: "近期出院"), suggestedBy: .module("opportunity"))
            let removed = try await database.apply([unflag, unflag], visitID: nil, at: Community.time(hour: 14), lifecycle: NeedLifecycle())
            #expect(removed.map(\.outcome) == [.applied(id: "r1a"), .duplicate(existingID: "r1a")])
            let off = await #expect(throws: DomainError.self) { try await database.keyPerson(residentID: "r1a", caller: Community.host) }
            #expect(off?.code == .notFound)
        }
    }

    @Test("an alert the method names is raised once with its id: named again it is a duplicate, acknowledged or not and whatever its text; an id about another resident is rejected; a bad id is rejected", arguments: TestEngine.all)
    func namedAlerts(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            func alert(_ id: String?, resident: String = "r1a", message: String = "独居老人未应答") -> Suggestion {
                Suggestion(kind: .raiseAlert(residentID: resident, urgency: .high, message: message, id: id), suggestedBy: .module("urgent-knock"))
            }
            let first = try await database.apply(
                [alert("urgent-knock-c1-alert-1"), alert("urgent-knock-c1-alert-2", message: "独居老人未应答")],
                visitID: "v-1", at: Community.time(hour: 10), lifecycle: NeedLifecycle()
            )
            // Named, the same text raises two alerts (without ids the second would repeat the first).
            #expect(first.map(\.outcome) == [.applied(id: "urgent-knock-c1-alert-1"), .applied(id: "urgent-knock-c1-alert-2")])
            try await database.acknowledgeAlert(id: "urgent-knock-c1-alert-1", note: "见到了", caller: Community.host, at: Community.time(hour: 11))
            let again = try await database.apply(
                [alert("urgent-knock-c1-alert-1", message: "另一条"), alert("urgent-knock-c1-alert-1", resident: "r1b"), alert(String(repeating: "x", count: 129)), alert(nil)],
                visitID: "v-2", at: Community.time(hour: 12), lifecycle: NeedLifecycle()
            )
            #expect(again[0].outcome == .duplicate(existingID: "urgent-knock-c1-alert-1"))
            #expect(again[1].outcome == .rejected(reason: "alert id urgent-knock-c1-alert-1 is taken by an alert about another resident"))
            guard case .rejected(let tooLong) = again[2].outcome else {
                Issue.record("a 129-byte alert id should be rejected: \(again[2])")
                return
            }
            #expect(tooLong.contains("alert id"))
            // Unnamed: an open alert with the same text (the second named one) makes it a duplicate.
            #expect(again[3].outcome == .duplicate(existingID: "urgent-knock-c1-alert-2"))
            let alerts = try await database.alerts(caller: Community.host, openOnly: false)
            #expect(Set(alerts.map(\.id)) == ["urgent-knock-c1-alert-1", "urgent-knock-c1-alert-2"])
            #expect(alerts.first { $0.id == "urgent-knock-c1-alert-1" }?.message == "独居老人未应答")
        }
    }

    @Test("with the visited resident known: repeats are answered as without it; a write reads the resident afresh", arguments: TestEngine.all)
    func knownResident(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let day = try CalendarDay(parsing: "2026-03-04")
            let need = Suggestion(kind: .raiseNeed(residentID: "r1a", category: "meals", urgency: .high, summary: "需要送餐", ownerModule: "canteen"),
                                  suggestedBy: .module("canteen"))
            let knock = Suggestion(kind: .scheduleKnock(PlannedKnock(day: day, residentID: "r1a", householdID: "", gridID: "", communityID: "",
                                                                      channel: .door, priority: 60, reasons: [PlannedKnock.Reason(why: "复访", suggestedBy: .host)])),
                                   suggestedBy: .module("urgent-knock"))
            let resident = try await database.resident(id: "r1a", caller: Community.host)
            let first = try await database.apply([need], visitID: "v-1", at: Community.time(hour: 9), lifecycle: NeedLifecycle(), known: [resident])
            guard case .applied(let id) = first.first?.outcome else {
                Issue.record("expected applied: \(first)")
                return
            }
            let again = try await database.apply([need], visitID: "v-2", at: Community.time(hour: 10), lifecycle: NeedLifecycle(), known: [resident])
            #expect(again.map(\.outcome) == [.duplicate(existingID: id)])

            // A known resident out of date (another household and grid) does not reach what is written.
            var stale = resident
            stale.householdID = "h-old"
            stale.gridID = "g2"
            let written = try await database.apply([knock], visitID: "v-3", at: Community.time(hour: 11), lifecycle: NeedLifecycle(), known: [stale])
            guard case .applied = written.first?.outcome else {
                Issue.record("expected applied: \(written)")
                return
            }
            let scheduled = try #require(try await database.scheduledKnocks(day: day, scope: .grids(["g1"])).first)
            #expect(scheduled.householdID == "h1")
            #expect(scheduled.gridID == "g1")
            #expect(try await database.scheduledKnocks(day: day, scope: .grids(["g2"])).isEmpty)
        }
    }

    @Test("a visit written for the methods comes with its resident's active needs; repeats are answered from them, and a stale list never raises a second need", arguments: TestEngine.all)
    func knownNeeds(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            func need(_ category: String) -> Suggestion {
                Suggestion(kind: .raiseNeed(residentID: "r1a", category: category, urgency: .normal, summary: "需要\(category)", ownerModule: nil),
                           suggestedBy: .module("canteen"))
            }
            let meals = try await database.apply([need("meals")], visitID: nil, at: Community.time(hour: 8), lifecycle: NeedLifecycle())
            guard case .applied(let mealsID) = meals.first?.outcome else {
                Issue.record("expected applied: \(meals)")
                return
            }
            let repair = try await database.apply([need("repair")], visitID: nil, at: Community.time(hour: 8), lifecycle: NeedLifecycle())
            guard case .applied(let repairID) = repair.first?.outcome else {
                Issue.record("expected applied: \(repair)")
                return
            }
            _ = try await database.transitionNeed(id: repairID, step: .decline, note: "不需要", caller: Community.host, at: Community.time(hour: 8), lifecycle: NeedLifecycle())

            // Only active needs come with the visit; a plain recording reads none.
            let (written, _) = try await database.recordVisit(Community.visit("v-1", at: Community.time(hour: 9)), caller: Community.gridMember) { _ in }
            #expect(written.activeNeeds == ["meals": mealsID])
            #expect(try await database.recordVisitShowingResident(Community.visit("v-2", at: Community.time(hour: 9)), caller: Community.gridMember).activeNeeds == nil)

            let resident = written.resident
            let again = try await database.apply([need("meals")], visitID: "v-1", at: Community.time(hour: 9), lifecycle: NeedLifecycle(),
                                                 known: [resident], knownNeeds: ["r1a": written.activeNeeds ?? [:]])
            #expect(again.map(\.outcome) == [.duplicate(existingID: mealsID)])
            // Settled by the list alone or not, alike: a malformed need is refused, and a
            // suggestion of another kind beside them is read and applied.
            let blank = Suggestion(kind: .raiseNeed(residentID: "r1a", category: " ", urgency: .normal, summary: "x", ownerModule: nil), suggestedBy: .module("canteen"))
            let flag = Suggestion(kind: .flagKeyPerson(residentID: "r1a", reason: "独居", cadenceDays: 7, until: nil), suggestedBy: .module("daily-knock"))
            for batch in [[need("meals"), blank], [need("meals"), blank, flag]] {
                let outcomes = try await database.apply(batch, visitID: "v-1", at: Community.time(hour: 9), lifecycle: NeedLifecycle(),
                                                        known: [resident], knownNeeds: ["r1a": written.activeNeeds ?? [:]])
                #expect(outcomes.first?.outcome == .duplicate(existingID: mealsID))
                guard case .rejected(let reason)? = outcomes.dropFirst().first?.outcome else {
                    Issue.record("a blank category should be refused: \(outcomes)")
                    continue
                }
                #expect(reason.contains("category"))
                #expect(Array(outcomes.dropFirst(2).map(\.outcome)) == (batch.count == 3 ? [.applied(id: "r1a")] : []))
            }
            // A list that missed a need raised since: the write finds it, and raises nothing.
            let stale = try await database.apply([need("meals")], visitID: "v-1", at: Community.time(hour: 9), lifecycle: NeedLifecycle(),
                                                 known: [resident], knownNeeds: ["r1a": [:]])
            #expect(stale.map(\.outcome) == [.duplicate(existingID: mealsID)])
            let active = try await database.needs(caller: Community.host).items.filter { $0.status.isActive }
            #expect(active.map(\.id) == [mealsID])
        }
    }
}
