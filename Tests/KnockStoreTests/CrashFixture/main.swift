// knock-store-crash-fixture PATH COUNT
//
// The second process of KnockStoreTests' durability test: opens the SQLite store at PATH and
// writes records `r-00001` … one at a time (every fifth as a two-write batch), printing
// `acked N` on stdout as soon as write N has returned, then `done`, then waits to be killed.
// The test kills it with SIGKILL mid-stream and checks that every acknowledged write is there.
import Foundation
import KnockStore

let arguments = CommandLine.arguments
guard arguments.count == 3, let count = Int(arguments[2]), count > 0 else {
    FileHandle.standardError.write(Data("usage: knock-store-crash-fixture PATH COUNT\n".utf8))
    exit(2)
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

try await KnockDatabase.withDatabase(at: .sqlite(path: arguments[1])) { store in
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
    say("done")
    while true {
        try await Task.sleep(for: .seconds(60))
    }
}
