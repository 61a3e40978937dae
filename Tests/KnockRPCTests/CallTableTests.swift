import KnockRPC
import KnockTestSupport
import Testing

@Suite("Call table")
struct CallTableTests {
    /// Runs `operations` random inserts, lookups, in-place changes and removals against the
    /// table and a `Dictionary`, checking they agree after each; `nextID` makes the ids.
    func agreesWithDictionary(seed: UInt64, operations: Int, nextID: (inout SeededGenerator) -> UInt32) {
        var random = SeededGenerator(seed: seed)
        var table = CallTable<String>()
        var model: [UInt32: String] = [:]
        for step in 0..<operations {
            let choice = Int.random(in: 0..<10, using: &random)
            if choice < 4 || model.isEmpty {
                let id = nextID(&random)
                table[id] = "call \(id) at \(step)"
                model[id] = "call \(id) at \(step)"
            } else if choice < 7 {
                let id = model.keys.randomElement(using: &random)!
                #expect(table.removeValue(forKey: id) == model.removeValue(forKey: id))
            } else if choice < 8 {
                let id = model.keys.randomElement(using: &random)!
                let slot = table.index(forKey: id)!
                table[slot: slot] += " changed"
                model[id]! += " changed"
            } else {
                let id = nextID(&random)
                #expect(table[id] == model[id])
                #expect(table.index(forKey: id) == nil || model[id] != nil)
            }
            #expect(table.count == model.count)
        }
        var seen: [UInt32: String] = [:]
        for (id, value) in table { seen[id] = value }
        #expect(seen == model)
        for (id, value) in model { #expect(table[id] == value) }
        table.removeAll()
        #expect(table.isEmpty)
        #expect(model.keys.allSatisfy { table[$0] == nil })
    }

    @Test("one side's ids, rising by two with some calls left open long, agree with a dictionary")
    func risingIDs() {
        var next: UInt32 = 1
        agreesWithDictionary(seed: 7, operations: 20_000) { _ in
            defer { next += 2 }
            return next
        }
    }

    @Test("ids spaced to collide in one slot, and ids near the top of the range, agree with a dictionary")
    func collidingIDs() {
        // Multiples of 64 share a home slot in every table of up to 32 slots, so runs of
        // collisions, wrap-around probing and backward-shift removal are all exercised.
        agreesWithDictionary(seed: 11, operations: 5_000) { random in
            UInt32.random(in: 1...40, using: &random) * 64 + (Bool.random(using: &random) ? 0 : 1)
        }
        agreesWithDictionary(seed: 13, operations: 5_000) { random in
            UInt32.max - UInt32.random(in: 0..<200, using: &random)
        }
    }

    @Test("removing an entry keeps every entry of its probe run reachable")
    func removalInsideARun() {
        var table = CallTable<Int>()
        // 16 slots: ids 2, 34, 66 share home 1; 4 has home 2 but is pushed to slot 4.
        for id: UInt32 in [2, 34, 66, 4, 31] { table[id] = Int(id) }
        table[34] = nil
        #expect(table[2] == 2)
        #expect(table[66] == 66)
        #expect(table[4] == 4)
        #expect(table[31] == 31)
        #expect(table[34] == nil)
        #expect(table.count == 4)
    }
}
