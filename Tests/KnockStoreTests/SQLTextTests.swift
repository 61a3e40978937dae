import Testing
@testable import KnockStore

@Suite("Statements written as text")
struct SQLTextTests {
    @Test("identifiers are double-quoted, a quote inside doubled")
    func quoted() {
        #expect(SQLText.quoted("knock_visits") == #""knock_visits""#)
        #expect(SQLText.quoted(#"odd"name""#) == #""odd""name""""#)
        #expect(SQLText.quoted("") == #""""#)
        #expect(SQLText.columns(["a", "by"], table: "r") == #""r"."a", "r"."by""#)
    }
}
