import Foundation
import KnockDomain
import Testing
import KnockStore

@Suite("Community: alerts")
struct AlertTests {
    @Test("an alert is open until acknowledged once; a second acknowledgement is refused and changes nothing", arguments: TestEngine.all)
    func acknowledge(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let alert = Alert(id: "a-1", residentID: "r1a", gridID: "?", communityID: "?", streetID: "?", urgency: .critical,
                              message: "今日未敲门", raisedBy: .module("daily-knock"), raisedAt: Community.time(hour: 18))
            let (raised, new) = try await database.raiseAlert(alert)
            #expect(new)
            #expect(raised.gridID == "g1")
            #expect(raised.isOpen)
            try await database.raiseAlert(Alert(id: "a-2", residentID: "r3", gridID: "", communityID: "", streetID: "", urgency: .high,
                                                message: "无人应答", raisedBy: .module("urgent-knock"), raisedAt: Community.time(hour: 19)))
            #expect(try await database.alerts(caller: Community.host).map(\.id) == ["a-2", "a-1"])
            #expect(try await database.alerts(caller: Community.gridMember).map(\.id) == ["a-1"])
            #expect(try await database.alerts(caller: Community.host, residentID: "r3").map(\.id) == ["a-2"])
            #expect(try await database.alerts(caller: Community.host, residentID: "r2").isEmpty)
            // Outside the caller's scope, a resident's alerts are not there.
            #expect(try await database.alerts(caller: Community.gridMember, residentID: "r3").isEmpty)

            let acknowledged = try await database.acknowledgeAlert(id: "a-1", note: "已电话联系，平安", caller: Community.gridMember, at: Community.time(hour: 18, minute: 20))
            #expect(acknowledged.acknowledgedBy == .member("m1"))
            #expect(acknowledged.acknowledgedAt == Community.time(hour: 18, minute: 20))
            #expect(!acknowledged.isOpen)
            let twice = await #expect(throws: DomainError.self) {
                try await database.acknowledgeAlert(id: "a-1", note: "再次", caller: Community.host, at: Community.time(hour: 20))
            }
            #expect(twice?.code == .invalidTransition)
            #expect(try await database.alerts(caller: Community.host, openOnly: false).first { $0.id == "a-1" } == acknowledged)
            #expect(try await database.alerts(caller: Community.host).map(\.id) == ["a-2"])

            for id in ["a-2", "a-none"] {
                let error = await #expect(throws: DomainError.self) {
                    try await database.acknowledgeAlert(id: id, note: "", caller: Community.gridMember, at: Date())
                }
                #expect(error?.code == .notFound)
                #expect(error?.message == "alert \(id) not found")
            }
            // The same alert again (a retry): answered as stored, acknowledged since; nothing new.
            let retry = try await database.raiseAlert(alert)
            #expect(!retry.raised)
            #expect(retry.alert == acknowledged)
            #expect(try await database.alerts(caller: Community.host, openOnly: false).count == 2)
            // Another alert with that id: refused.
            var other = alert
            other.message = "另一件事"
            let taken = await #expect(throws: DomainError.self) { try await database.raiseAlert(other) }
            #expect(taken?.code == .alreadyExists)
            #expect(try await database.alerts(caller: Community.host, openOnly: false).first { $0.id == "a-1" } == acknowledged)
        }
    }
}
