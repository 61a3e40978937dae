// knock-store-crash-fixture PATH COUNT [records|visits]
//
// The second process of KnockStoreTests' durability tests: opens the SQLite store at PATH and
// writes until the test kills it with SIGKILL, then the test checks that every acknowledged
// write is there.
//
// records (the default): writes records `r-00001` … one at a time (every fifth as a two-write
// batch), printing `acked N` on stdout as soon as write N has returned, then `done`.
// visits: sets up one grid with one resident, then 32 tasks record visits `v-T-N` at once
// (through group commit), printing `acked v-T-N` as soon as each has returned, COUNT in all,
// then `done`.
import Foundation
import KnockDomain
import KnockStore
import Synchronization

let arguments = CommandLine.arguments
guard (3...4).contains(arguments.count), let count = Int(arguments[2]), count > 0,
      arguments.count == 3 || ["records", "visits"].contains(arguments[3])
else {
    FileHandle.standardError.write(Data("usage: knock-store-crash-fixture PATH COUNT [records|visits]\n".utf8))
    exit(2)
}

let output = Mutex(())

func say(_ line: String) {
    output.withLock { _ in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
}

func writeRecords(_ store: KnockDatabase) async throws {
    for number in 1...count {
        let key = String(format: "r-%05d", number)
        let value = Array("record \(number)".utf8)
        if number % 5 == 0 {
            try await store.batch(module: "crash", operations: [
                .put(collection: "records", key: key, value: value, index: ["tens": "\(number / 10)"]),
                .put(collection: "marks", key: key, value: []),
            ])
        } else {
            try await store.put(module: "crash", collection: "records", key: key, value: value, index: ["tens": "\(number / 10)"])
        }
        say("acked \(number)")
    }
}

func recordVisits(_ store: KnockDatabase) async throws {
    try await store.putUnits([
        OrganisationUnit(id: "d", level: .district, name: "d", parentID: nil),
        OrganisationUnit(id: "s", level: .street, name: "s", parentID: "d"),
        OrganisationUnit(id: "c", level: .community, name: "c", parentID: "s"),
        OrganisationUnit(id: "g", level: .grid, name: "g", parentID: "c"),
    ])
    let caller = Caller(provenance: .host, scope: .district("d"))
    _ = try await store.importRoster(
        households: [Household(id: "h", address: "a", gridID: "g", communityID: "c", streetID: "s")],
        residents: [Resident(id: "r", householdID: "h", name: "n", gridID: "g", communityID: "c", streetID: "s")],
        caller: caller
    )
    let tasks = 32
    try await withThrowingTaskGroup(of: Void.self) { group in
        for task in 0..<tasks {
            group.addTask {
                for number in stride(from: task, to: count, by: tasks) {
                    let visit = Visit(
                        id: "v-\(task)-\(number)", memberID: "m", residentID: "r", householdID: "h", gridID: "g", communityID: "c",
                        streetID: "s", at: Date(timeIntervalSince1970: 1_772_000_000 + Double(number)), channel: .door, outcome: .met,
                        observations: "burst \(number)"
                    )
                    _ = try await store.recordVisit(visit, caller: caller)
                    say("acked \(visit.id)")
                }
            }
        }
        try await group.waitForAll()
    }
}

try await KnockDatabase.withDatabase(at: .sqlite(path: arguments[1])) { store in
    if arguments.count == 4 && arguments[3] == "visits" {
        try await recordVisits(store)
    } else {
        try await writeRecords(store)
    }
    say("done")
    while true {
        try await Task.sleep(for: .seconds(60))
    }
}
