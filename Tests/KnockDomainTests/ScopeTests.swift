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
}
