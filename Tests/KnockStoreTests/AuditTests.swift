import Foundation
import KnockDomain
import Testing
import KnockStore

@Suite("Community: audit of personal-data reads")
struct AuditTests {
    @Test("each read of residents' data records who read whose data, through which method; empty reads record nothing", arguments: TestEngine.all)
    func recorded(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            let staff = Community.communityStaff
            let before = Date().addingTimeInterval(-1)
            _ = try await database.resident(id: "r1a", caller: staff)
            _ = try await database.residents(ids: ["r2", "r1b"], caller: staff)
            _ = try await database.residents(caller: Community.gridMember, tag: .elderly)
            _ = try await database.visits(caller: staff) // none: nothing to record
            try await database.recordVisit(Community.visit("v-1", at: Community.time(hour: 9)), caller: Community.gridMember)
            _ = try await database.visits(caller: Community.gridMember)
            try await database.flagKeyPerson(residentID: "r2", reason: "空巢", cadenceDays: 7, caller: Community.host, at: Community.time(hour: 8))
            _ = try await database.keyPersons(caller: staff, timeZone: Community.timeZone)
            _ = try await database.needs(caller: staff)
            _ = try? await database.resident(id: "r3", caller: Community.gridMember) // notFound: nothing returned, nothing recorded

            let log = try await database.auditLog()
            #expect(log.map(\.action) == ["keyPersons.list", "visits.list", "residents.list", "residents.get", "residents.get"])
            #expect(log.map(\.residentIDs) == [["r2"], ["r1a"], ["r1a"], ["r2", "r1b"], ["r1a"]])
            #expect(log.map(\.by) == [.member("staff-c1"), .member("m1"), .member("m1"), .member("staff-c1"), .member("staff-c1")])
            #expect(log.map(\.via) == ["daily-knock", nil, nil, "daily-knock", "daily-knock"])
            #expect(log.allSatisfy { $0.at >= before && $0.at <= Date().addingTimeInterval(1) })

            #expect(try await database.auditLog(residentID: "r2").map(\.action) == ["keyPersons.list", "residents.get"])
            #expect(try await database.auditLog(limit: 2).count == 2)
        }
    }
}
