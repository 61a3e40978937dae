import KnockModuleKit
import Synchronization
import Testing

@Suite("Learned facts: what a method stored, not read again")
struct LearnedFactsTests {
    /// A store of one fact that counts its reads and writes.
    final class Cell: Sendable {
        let state = Mutex<(value: String?, reads: Int, writes: Int)>((nil, 0, 0))
        func read() -> String? { state.withLock { $0.reads += 1; return $0.value } }
        func write(_ value: String) { state.withLock { $0.writes += 1; $0.value = value } }
        var counts: (reads: Int, writes: Int) { state.withLock { ($0.reads, $0.writes) } }
    }

    @Test("the first sight reads and writes; the same fact again costs nothing; a new value reads and writes again")
    func keep() async throws {
        let learned = LearnedFacts()
        let cell = Cell()
        for community in ["qinghe", "qinghe", "qinghe", "qingyi", "qingyi"] {
            try await learned.keep("members/m-1", as: community) { cell.read() } write: { cell.write(community) }
        }
        #expect(cell.state.withLock { $0.value } == "qingyi")
        #expect(cell.counts == (2, 2))
        // Stored already (by an earlier run): one read, no write.
        let fresh = LearnedFacts()
        try await fresh.keep("members/m-1", as: "qingyi") { cell.read() } write: { cell.write("qingyi") }
        try await fresh.keep("members/m-1", as: "qingyi") { cell.read() } write: { cell.write("qingyi") }
        #expect(cell.counts == (3, 2))
    }

    @Test("a failed write is not remembered: the next sight tries again")
    func failedWrite() async throws {
        struct Refused: Error {}
        let learned = LearnedFacts()
        let cell = Cell()
        await #expect(throws: Refused.self) {
            try await learned.keep("grids/g-1", as: "qinghe") { cell.read() } write: { throw Refused() }
        }
        #expect(!learned.knows("grids/g-1", is: "qinghe"))
        try await learned.keep("grids/g-1", as: "qinghe") { cell.read() } write: { cell.write("qinghe") }
        #expect(cell.counts == (2, 1))
        #expect(learned.knows("grids/g-1", is: "qinghe"))
    }

    @Test("past its capacity it forgets everything and starts afresh")
    func capacity() {
        let learned = LearnedFacts(capacity: 3)
        for index in 0..<3 { learned.remember("k\(index)", is: "v") }
        #expect((0..<3).allSatisfy { learned.knows("k\($0)", is: "v") })
        learned.remember("k0", is: "w")  // a known key: no room needed
        #expect(learned.knows("k1", is: "v"))
        learned.remember("k3", is: "v")
        #expect(learned.knows("k3", is: "v"))
        #expect(!learned.knows("k1", is: "v"))
    }
}
