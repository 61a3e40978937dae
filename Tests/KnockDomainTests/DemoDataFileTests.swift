import Foundation
import Testing
@testable import KnockDomain

/// `Examples/demo-data/households.csv` (written by `DemoStreetTests` from `DemoStreet.gongrencun()`)
/// must stay a roster the host imports.
@Suite struct DemoDataFileTests {
    static let file = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/demo-data/households.csv")

    /// 工人村街's grids: 青和居 1–15, 青宜居 1–8.
    static let grids: [String: Scope.Place] = {
        var grids: [String: Scope.Place] = [:]
        for (community, count) in [("qinghe", 15), ("qingyi", 8)] {
            for number in 1...count {
                let id = "\(community)-g\(number < 10 ? "0" : "")\(number)"
                grids[id] = Scope.Place(streetID: "gongrencun", communityID: community, gridID: id)
            }
        }
        return grids
    }()

    @Test func theDemoRosterImports() throws {
        let roster = try HouseholdRoster(csv: try Data(contentsOf: Self.file), grids: Self.grids, currentYear: 2026)
        #expect(Set(roster.households.map(\.gridID)) == Set(Self.grids.keys))
        #expect((23 * 15...23 * 20).contains(roster.households.count))
        #expect(roster.residents.count > roster.households.count * 2)
        #expect(roster.households.allSatisfy { $0.address.hasPrefix($0.communityID == "qinghe" ? "青和居 " : "青宜居 ") })
        #expect(Set(roster.residents.flatMap(\.tags)) == Set(ResidentTag.allCases))
        #expect(roster.residents.allSatisfy { !$0.name.isEmpty && !$0.name.unicodeScalars.allSatisfy(\.isASCII) })
        #expect(roster.residents.contains { $0.emergencyContact != nil })
        #expect(roster.households.allSatisfy { !$0.availability.isEmpty })
    }
}
