import Foundation
import KnockDomain
import Testing
@testable import KnockHost

@Suite struct DemoStreetTests {
    static let street = DemoStreet.gongrencun()

    @Test func theSameSeedGivesTheSameStreet() {
        #expect(DemoStreet.gongrencun() == Self.street)
        #expect(DemoStreet.gongrencun(seed: 7) != Self.street)
        #expect(DemoStreet.district(households: 500, grids: 20, seed: 3) == DemoStreet.district(households: 500, grids: 20, seed: 3))
    }

    @Test func gongrencunHasItsCommunitiesAndGrids() {
        let street = Self.street
        #expect(street.units.filter { $0.level == .district }.map(\.name) == ["青山区"])
        #expect(street.units.filter { $0.level == .street }.map(\.name) == ["工人村街"])
        #expect(street.units.filter { $0.level == .community }.map(\.name) == ["青和居社区", "青宜居社区"])
        let grids = street.units.filter { $0.level == .grid }
        #expect(grids.filter { $0.parentID == "qinghe" }.count == 15)
        #expect(grids.filter { $0.parentID == "qingyi" }.count == 8)
        #expect(Set(street.places.keys) == Set(grids.map(\.id)))
        let perGrid = Dictionary(grouping: street.households, by: \.gridID).mapValues(\.count)
        #expect(Set(perGrid.keys) == Set(grids.map(\.id)))
        #expect(perGrid.values.allSatisfy { (15...20).contains($0) })
        #expect(Set(street.households.map(\.address)).count == street.households.count)
        #expect(street.households.allSatisfy { $0.address.wholeMatch(of: /青[和宜]居 \d+栋\d单元\d+0\d/) != nil })
    }

    @Test func everyGridHasAGroup() {
        let street = Self.street
        let members = Dictionary(uniqueKeysWithValues: street.members.map { ($0.id, $0) })
        for gridID in street.places.keys {
            let group = street.gridGroups[gridID] ?? []
            let roles = group.compactMap { members[$0]?.roles.first }
            #expect(roles.prefix(4) == [.staff, .partyMember, .residentBackbone, .volunteer], "\(gridID)")
            #expect(group.allSatisfy { members[$0]?.gridIDs == [gridID] })
        }
        #expect(street.members.contains { $0.roles == [.sunkDownCadre] })
        #expect(street.members.allSatisfy { !$0.name.unicodeScalars.allSatisfy(\.isASCII) })
    }

    @Test func everyTagOccursAndFollowsAge() {
        let street = Self.street
        #expect(Set(street.residents.flatMap(\.tags)) == Set(ResidentTag.allCases))
        for resident in street.residents {
            let age = 2026 - resident.birthYear
            #expect(resident.tags.contains(.elderly) == (age >= 60))
            #expect(resident.tags.contains(.advancedAge) == (age >= 80))
            #expect(resident.tags.contains(.child) == (age < 18))
            if resident.tags.contains(.livingAlone) || resident.tags.contains(.advancedAge) {
                #expect(resident.emergencyContact != nil)
            }
        }
    }

    @Test func residentsSitWhereTheirHouseholdsAre() {
        let street = Self.street
        let households = Dictionary(uniqueKeysWithValues: street.households.map { ($0.id, $0) })
        for resident in street.residents {
            let household = households[resident.householdID]
            #expect(household != nil)
            #expect(household?.gridID == resident.gridID)
            #expect(household?.communityID == resident.communityID)
            #expect(household?.streetID == resident.streetID)
            #expect(street.places[resident.gridID] == Scope.Place(streetID: resident.streetID, communityID: resident.communityID, gridID: resident.gridID))
        }
        #expect(Set(street.residents.map(\.householdID)) == Set(households.keys))
        #expect(Set(street.residents.map(\.id)).count == street.residents.count)
    }

    @Test func keyPersonsByTheHost() {
        let street = Self.street
        let residents = Dictionary(uniqueKeysWithValues: street.residents.map { ($0.id, $0) })
        #expect(!street.keyPersons.isEmpty)
        for person in street.keyPersons {
            let tags = residents[person.residentID]?.tags ?? []
            let daily = tags.isSuperset(of: [.livingAlone, .advancedAge])
            #expect(person.cadenceDays == (daily ? 1 : 7))
            #expect(person.assignedMemberID == (daily ? "\(person.gridID)-party" : nil))
            #expect(person.reasons.allSatisfy { $0.flaggedBy == .host })
            #expect(person.reasons.first?.reason == (daily ? "独居高龄" : person.reasons.first?.reason))
        }
        #expect(street.keyPersons.contains { $0.cadenceDays == 1 })
        let flagged = Set(street.keyPersons.map(\.residentID))
        #expect(street.residents.filter { $0.tags.contains(.livingAlone) }.allSatisfy { flagged.contains($0.id) })
    }

    @Test func theDistrictHasExactlyWhatWasAskedFor() {
        let district = DemoStreet.district(households: 5_003, grids: 40)
        #expect(district.households.count == 5_003)
        #expect(district.units.filter { $0.level == .grid }.count == 40)
        #expect(district.gridGroups.count == 40)
        #expect(district.units.filter { $0.level == .community }.count == 4)
        #expect(Set(district.households.map(\.id)).count == 5_003)
        let perGrid = Dictionary(grouping: district.households, by: \.gridID).mapValues(\.count)
        #expect(Set(perGrid.values) == [125, 126])
        #expect(Set(district.households.map(\.address)).count == 5_003)
    }

    @Test func theDemoFileIsTheDemoStreetsRoster() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/demo-data/households.csv")
        let csv = Self.street.roster.csv()
        // KNOCK_WRITE_DEMO_DATA=1 swift test --filter DemoStreetTests writes it after a change to the generator.
        if ProcessInfo.processInfo.environment["KNOCK_WRITE_DEMO_DATA"] == "1" { try csv.write(to: file) }
        #expect(try Data(contentsOf: file) == csv)
        #expect(try HouseholdRoster(csv: csv, grids: Self.street.places, currentYear: 2026) == Self.street.roster)
    }
}
