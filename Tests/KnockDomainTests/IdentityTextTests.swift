import Testing
@testable import KnockDomain

@Suite struct IdentityTextTests {
    @Test(arguments: [
        NeedOwner.member("m-12"), .module("canteen"), .department("民政局"), .department("a:b"),
    ])
    func needOwnerRoundTrips(_ owner: NeedOwner) throws {
        #expect(try NeedOwner(text: owner.text) == owner)
    }

    @Test(arguments: ["", "member", "member:", "person:m-1", ":m-1", "Member:m-1"])
    func needOwnerRejects(_ text: String) {
        let error = #expect(throws: DomainError.self) { try NeedOwner(text: text) }
        #expect(error?.code == .invalidArgument)
    }

    @Test(arguments: [
        Provenance.member("m-12"), .module("daily-knock"), .integrator("hospital"), .department("minzheng"), .host, .member("x:y"),
    ])
    func provenanceRoundTrips(_ provenance: Provenance) {
        #expect(Provenance(text: provenance.text) == provenance)
    }

    @Test(arguments: ["", "Host", "host:", "member:", "department:", "office:民政局", "m-12", ":x"])
    func provenanceRejects(_ text: String) {
        #expect(Provenance(text: text) == nil)
    }

    @Test func residentTagsByEnglishOrChineseName() {
        for tag in ResidentTag.allCases {
            #expect(ResidentTag(name: tag.rawValue) == tag)
            #expect(ResidentTag(name: tag.rawValue.uppercased()) == tag)
            #expect(ResidentTag(name: " \(tag.chineseName) ") == tag)
        }
        #expect(ResidentTag(name: "下岗") == .unemployed)
        #expect(ResidentTag(name: "失业、下岗") == .unemployed)
        #expect(Set(ResidentTag.allCases.map(\.chineseName)).count == ResidentTag.allCases.count)
        for unknown in ["", "old", "老人家", "living alone"] {
            #expect(ResidentTag(name: unknown) == nil)
        }
    }
}
