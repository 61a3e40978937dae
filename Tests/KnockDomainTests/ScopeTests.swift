import Testing
@testable import KnockDomain

@Suite struct ScopeTests {
    static let here = Scope.Place(streetID: "gongrencun", communityID: "qinghe", gridID: "qinghe-g03")
    static let elsewhere = Scope.Place(streetID: "hongwei", communityID: "hongwei-a", gridID: "hongwei-a-g01")

    @Test(arguments: [
        (Scope.district("qingshan"), true, true),
        (.street("gongrencun"), true, false),
        (.community("qinghe"), true, false),
        (.community("qingyi"), false, false),
        (.grids(["qinghe-g03", "hongwei-a-g01"]), true, true),
        (.grids(["qinghe-g04"]), false, false),
        (.grids([]), false, false),
    ])
    func contains(_ scope: Scope, _ containsHere: Bool, _ containsElsewhere: Bool) {
        #expect(scope.contains(Self.here) == containsHere)
        #expect(scope.contains(Self.elsewhere) == containsElsewhere)
    }

    @Test func describesItselfSorted() {
        #expect(Scope.grids(["b", "a"]).description == "grid:a,b")
        #expect(Scope.community("qinghe").description == "community:qinghe")
    }

    @Test("a scope reads back what it writes", arguments: [
        Scope.district("qingshan"), .street("gongrencun"), .community("qinghe"), .grids(["qinghe-g01", "qinghe-g02"]),
    ])
    func roundTrip(_ scope: Scope) throws {
        #expect(try Scope(parsing: scope.description) == scope)
    }

    @Test("a malformed scope is refused, saying why", arguments: [
        ("qinghe", "level:id"), ("city:wuhan", "not a level"), ("community:", "not a unit id"), ("community:a,b", "only grids"),
        ("grid:g1,,g2", "not a unit id"), ("community:青 和", "not a unit id"),
    ])
    func malformed(_ text: String, _ why: String) {
        let error = #expect(throws: DomainError.self) { try Scope(parsing: text) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(why) == true, "\(error?.message ?? "")")
    }
}
