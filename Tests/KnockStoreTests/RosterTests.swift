import Foundation
import KnockDomain
import Testing
import KnockStore

@Suite("Community: organisation and roster")
struct RosterTests {
    @Test("units and members are read within a scope", arguments: TestEngine.all)
    func organisation(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            #expect(try await database.units(in: .district("d")).map(\.id) == ["d", "s", "c1", "c2", "g1", "g2", "g3"])
            #expect(try await database.units(in: .community("c1")).map(\.id) == ["c1", "g1", "g2"])
            #expect(try await database.units(in: .street("s"), level: .grid).map(\.id) == ["g1", "g2", "g3"])
            #expect(try await database.units(in: .grids(["g3"])).map(\.id) == ["g3"])
            #expect(try await database.members(in: .district("d")) == Community.members)
            #expect(try await database.members(in: .community("c2")).map(\.id) == ["m3"])
            #expect(try await database.members(in: .grids(["g1"])).map(\.id) == ["m1", "m3"])
            #expect(try await database.member(id: "m3")?.gridIDs == ["g3", "g1"])
            #expect(try await database.member(id: "nobody") == nil)

            try await database.putUnits([OrganisationUnit(id: "g1", level: .grid, name: "一网格", parentID: "c1")])
            #expect(try await database.units(in: .grids(["g1"])).first?.name == "一网格")
            let moved = await #expect(throws: DomainError.self) {
                try await database.putUnits([OrganisationUnit(id: "g1", level: .grid, name: "一网格", parentID: "c2")])
            }
            #expect(moved?.code == .invalidArgument)
            let orphan = await #expect(throws: DomainError.self) {
                try await database.putUnits([OrganisationUnit(id: "g9", level: .grid, name: "九", parentID: "nowhere")])
            }
            #expect(orphan?.code == .notFound)
            let badMember = await #expect(throws: DomainError.self) {
                try await database.putMembers([Member(id: "m9", name: "x", roles: [.volunteer], communityID: "c1", gridIDs: ["g9"])])
            }
            #expect(badMember?.code == .notFound)
            #expect(try await database.member(id: "m9") == nil)
        }
    }

    @Test("an import counts what was new and what was replaced", arguments: TestEngine.all)
    func summary(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            try await database.putUnits(Community.units)
            let first = try await database.importRoster(households: Community.households, residents: Community.residents, caller: Community.host)
            #expect(first == RosterImportSummary(householdsInserted: 3, householdsUpdated: 0, residentsInserted: 4, residentsUpdated: 0))
            var moved = Community.residents[1]
            moved.name = "改名"
            let newcomer = Community.resident("r1c", household: "h1", grid: "g1", community: "c1", tags: [.youngAdult])
            let second = try await database.importRoster(households: [Community.households[0]], residents: [moved, newcomer], caller: Community.gridMember)
            #expect(second == RosterImportSummary(householdsInserted: 0, householdsUpdated: 1, residentsInserted: 1, residentsUpdated: 1))
            #expect(try await database.resident(id: "r1b", caller: Community.host).name == "改名")
            #expect(try await database.resident(id: "r1c", caller: Community.host) == newcomer)
            #expect(try await database.household(id: "h1", caller: Community.gridMember) == Community.households[0])
        }
    }

    @Test("one bad row and nothing of the import is written", arguments: TestEngine.all)
    func allOrNothing(engine: TestEngine) async throws {
        try await TestStore.withDatabase(engine) { database in
            try await database.putUnits(Community.units)
            let cases: [(households: [Household], residents: [Resident], caller: Caller, code: DomainError.Code)] = [
                // A resident of an unknown household.
                (Community.households, Community.residents + [Community.resident("rx", household: "hx", grid: "g1", community: "c1", tags: [])], Community.host, .notFound),
                // A household in an unknown grid.
                (Community.households + [Community.household("hx", grid: "g9", community: "c1")], Community.residents, Community.host, .notFound),
                // A grid member importing another grid's household.
                (Community.households, Community.residents, Community.gridMember, .outOfScope),
                // A household whose community is not its grid's.
                (Community.households + [Community.household("hx", grid: "g3", community: "c1")], Community.residents, Community.host, .invalidArgument),
                // A resident placed elsewhere than its household.
                (Community.households, Community.residents + [Community.resident("rx", household: "h1", grid: "g2", community: "c1", tags: [])], Community.host, .invalidArgument),
                // A resident given twice.
                (Community.households, Community.residents + [Community.residents[0]], Community.host, .invalidArgument),
            ]
            for (households, residents, caller, code) in cases {
                let error = await #expect(throws: DomainError.self) {
                    try await database.importRoster(households: households, residents: residents, caller: caller)
                }
                #expect(error?.code == code, "\(error?.message ?? "")")
                #expect(try await database.residents(caller: Community.host).items.isEmpty)
                let household = await #expect(throws: DomainError.self) { try await database.household(id: "h1", caller: Community.host) }
                #expect(household?.code == .notFound)
            }
        }
    }

    @Test("a grid member cannot overwrite a household of another grid through an import", arguments: TestEngine.all)
    func storedOutsideScope(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            var hijack = Community.households[2]
            hijack.gridID = "g1"
            hijack.communityID = "c1"
            let error = await #expect(throws: DomainError.self) {
                try await database.importRoster(households: [hijack], residents: [], caller: Community.gridMember)
            }
            #expect(error?.code == .outOfScope)
            let stored = try await database.household(id: "h3", caller: Community.host)
            #expect(stored == Community.households[2])
        }
    }

    @Test("residents are read within the caller's scope, by id, by tag, a page at a time", arguments: TestEngine.all)
    func residents(engine: TestEngine) async throws {
        try await Community.withDatabase(engine) { database in
            #expect(try await database.resident(id: "r1a", caller: Community.gridMember) == Community.residents[0])
            for id in ["r3", "nobody"] {
                let error = await #expect(throws: DomainError.self) { try await database.resident(id: id, caller: Community.gridMember) }
                #expect(error?.code == .notFound)
                #expect(error?.message == "resident \(id) not found")
            }
            #expect(try await database.residents(ids: ["r3", "r1b", "nobody", "r1a", "r1b"], caller: Community.gridMember).map(\.id) == ["r1b", "r1a"])
            // Names only, within the scope alike, and the read audited for those found.
            let names = try await database.residentNames(ids: ["r3", "r1b", "nobody", "r1a"], caller: Community.gridMember)
            #expect(names == ["r1a": Community.residents[0].name, "r1b": Community.residents[1].name])
            #expect(try await database.auditLog(limit: 1).first?.residentIDs == ["r1b", "r1a"])
            let homes = try await database.residentHomes(ids: ["r3", "r1a"], caller: Community.gridMember)
            #expect(homes == ["r1a": Community.residents[0].home])
            #expect(try await database.residents(caller: Community.gridMember).items.map(\.id) == ["r1a", "r1b"])
            #expect(try await database.residents(caller: Community.host, tag: .elderly).items.map(\.id) == ["r1a", "r2"])
            #expect(try await database.residents(caller: Community.communityStaff, tag: .livingAlone).items.map(\.id) == ["r1a"])
            let first = try await database.residents(caller: Community.host, limit: 3)
            #expect(first.items.map(\.id) == ["r1a", "r1b", "r2"])
            let second = try await database.residents(caller: Community.host, limit: 3, after: first.nextAfter)
            #expect(second.items.map(\.id) == ["r3"])
            #expect(second.nextAfter == nil)
        }
    }
}
