/// The open calls of one direction of a connection, by call id.
///
/// Every call touches its table three to five times (start, response, end, the serving task
/// taking it), on the event loop, and a `Dictionary` hashes the id with SipHash each time
/// (4–5% of a small call's CPU on each side). The ids of one side increase by two (§4.1), so
/// this table places an id at `id / 2` modulo its size and probes linearly: consecutive ids
/// fill consecutive slots, and a lookup nearly always finds its id in the first slot it looks
/// at. A peer that spaces its ids to collide on purpose costs itself a scan of its own open
/// calls, which the concurrent-call limit bounds.
///
/// Id `0` is never a call's (it is the connection's), so it marks a free slot.
package struct CallTable<Value>: Sequence {
    private var ids: [UInt32]
    private var values: [Value?]
    /// How many calls are in the table.
    package private(set) var count = 0
    /// The farthest any entry sits from its home slot (a high-water mark, reset when the table
    /// empties): a removal need look no farther ahead for entries to move back.
    private var maxDisplacement = 0

    /// An empty table with room for `capacity` calls before it grows (rounded up to a power of
    /// two, at least 16).
    package init(capacity: Int = 16) {
        var slots = 16
        while slots < capacity * 2 { slots *= 2 }
        ids = Array(repeating: 0, count: slots)
        values = Array(repeating: nil, count: slots)
    }

    package var isEmpty: Bool { count == 0 }

    private var mask: Int { ids.count - 1 }

    @inline(__always)
    private func home(of id: UInt32) -> Int { Int(id >> 1) & mask }

    /// The slot holding `id`, if the table has it.
    package func index(forKey id: UInt32) -> Int? {
        guard id != 0 else { return nil }
        var slot = home(of: id)
        while true {
            let found = ids[slot]
            if found == id { return slot }
            if found == 0 { return nil }
            slot = (slot + 1) & mask
        }
    }

    /// The value in a slot that ``index(forKey:)`` returned, changed in place.
    package subscript(slot slot: Int) -> Value {
        get { values[slot]! }
        _modify { yield &values[slot]! }
    }

    /// The value for `id`; assigning `nil` removes it.
    package subscript(id: UInt32) -> Value? {
        get { index(forKey: id).map { values[$0]! } }
        set {
            if let newValue {
                insert(newValue, for: id)
            } else {
                removeValue(forKey: id)
            }
        }
    }

    /// Adds the call `id`, or replaces its value.
    package mutating func insert(_ value: Value, for id: UInt32) {
        precondition(id != 0, "call id 0 is the connection's")
        let wanted = home(of: id)
        var slot = wanted
        while ids[slot] != 0 {
            if ids[slot] == id {
                values[slot] = value
                return
            }
            slot = (slot + 1) & mask
        }
        if (count + 1) * 2 > ids.count {
            grow()
            insert(value, for: id)
            return
        }
        maxDisplacement = Swift.max(maxDisplacement, (slot - wanted) & mask)
        ids[slot] = id
        values[slot] = value
        count += 1
    }

    /// Removes the call `id`, returning its value if it was there.
    @discardableResult
    package mutating func removeValue(forKey id: UInt32) -> Value? {
        guard let slot = index(forKey: id) else { return nil }
        return remove(at: slot)
    }

    /// Removes the call in `slot` (from ``index(forKey:)``), returning its value.
    @discardableResult
    package mutating func remove(at slot: Int) -> Value {
        let value = values[slot].take()!
        ids[slot] = 0
        count -= 1
        if count == 0 { maxDisplacement = 0 }
        // Backward-shift deletion: move up every later entry of the run that the hole now
        // separates from its home slot, so lookups can stop at the first free slot. An entry
        // more than `maxDisplacement` slots past the hole has its home after the hole and
        // stays, so the scan ends there: with rising ids every entry sits at its home, and a
        // removal from a long run of open calls looks at one slot, not the whole run.
        var hole = slot
        var next = (slot + 1) & mask
        while ids[next] != 0, (next - hole) & mask <= maxDisplacement {
            let wanted = home(of: ids[next])
            // The entry may fill the hole unless its home lies cyclically in (hole, next].
            let stays = hole <= next ? (hole < wanted && wanted <= next) : (hole < wanted || wanted <= next)
            if !stays {
                ids[hole] = ids[next]
                values[hole] = values[next].take()
                ids[next] = 0
                hole = next
            }
            next = (next + 1) & mask
        }
        return value
    }

    /// Empties the table, keeping its size.
    package mutating func removeAll() {
        guard count > 0 else { return }
        for slot in ids.indices where ids[slot] != 0 {
            ids[slot] = 0
            values[slot] = nil
        }
        count = 0
        maxDisplacement = 0
    }

    private mutating func grow() {
        let old = self
        self = CallTable(capacity: ids.count)
        for (id, value) in old { insert(value, for: id) }
    }

    /// The calls in slot order (not id order).
    package func makeIterator() -> Iterator {
        Iterator(table: self, slot: 0)
    }

    /// Iterates the calls of a table (a copy: changing the table meanwhile is safe).
    package struct Iterator: IteratorProtocol {
        let table: CallTable
        var slot: Int

        package mutating func next() -> (id: UInt32, value: Value)? {
            while slot < table.ids.count {
                defer { slot += 1 }
                let id = table.ids[slot]
                if id != 0 { return (id, table.values[slot]!) }
            }
            return nil
        }
    }
}
