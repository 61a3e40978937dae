import Foundation
import KnockTestSupport
import Testing
@testable import KnockStore

@Suite("SQLite durability")
struct DurabilityTests {
    @Test("closing and reopening the file keeps every acknowledged write")
    func reopenKeepsWrites() async throws {
        try await TestStore.with(.sqlite) { store in
            var expected: [String: (value: [UInt8], version: UInt64)] = [:]
            try await store.open { database in
                for number in 0..<60 {
                    let key = "k\(number)"
                    let version = try await database.put(module: "m", collection: "c", key: key, value: bytes("\(number)"), index: ["even": "\(number % 2 == 0)"])
                    expected[key] = (bytes("\(number)"), version)
                }
                for number in stride(from: 0, to: 60, by: 3) {
                    let key = "k\(number)"
                    let version = try await database.put(module: "m", collection: "c", key: key, value: bytes("again \(number)"), index: ["even": "\(number % 2 == 0)"])
                    expected[key] = (bytes("again \(number)"), version)
                }
                let versions = try await database.batch(module: "m", operations: [
                    .put(collection: "c", key: "batched", value: bytes("b")),
                    .delete(collection: "c", key: "k59"),
                ])
                expected["batched"] = (bytes("b"), versions[0])
                expected["k59"] = nil
            }
            try await store.open { database in
                var stored: [String: (value: [UInt8], version: UInt64)] = [:]
                var after: String?
                repeat {
                    let page = try await database.query(module: "m", collection: "c", limit: 25, after: after)
                    for record in page.items { stored[record.key] = (record.value, record.version) }
                    after = page.nextAfter
                } while after != nil
                #expect(stored.count == expected.count)
                for (key, record) in expected {
                    #expect(stored[key]?.value == record.value, "\(key)")
                    #expect(stored[key]?.version == record.version, "\(key)")
                }
                #expect(try await database.query(module: "m", collection: "c", where: ["even": "true"], limit: 100).items.count == 30)
            }
        }
    }

    @Test("a writer killed with SIGKILL mid-stream loses no acknowledged write, and no batch is half-applied")
    func killedWriter() async throws {
        let fixture = try #require(Self.fixture(), "build the fixture first: swift build --build-tests")
        try await TestStore.with(.sqlite) { store in
            guard case .sqlite(let path) = store.location else { return }
            let process = Process()
            process.executableURL = fixture
            process.arguments = [path, "1000000"]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let killAfter = 150
            let acks = await Self.readAcks(from: output.fileHandleForReading, killing: process, after: killAfter)
            let acked = acks.last.flatMap { Int($0) } ?? 0
            let ended = await ProcessExit.wait(process, timeout: .seconds(30))
            #expect(ended == .signalled(SIGKILL) || ended == .unknown, "the fixture ended \(String(describing: ended))")
            #expect(acked >= killAfter)

            try await store.open { database in
                for number in 1...acked {
                    let key = String(format: "r-%05d", number)
                    let record = try await database.get(module: "crash", collection: "records", key: key)
                    #expect(record?.value == bytes("record \(number)"), "\(key) was acknowledged")
                }
                // Writes after the last acknowledgement may or may not be there, but a batch is
                // there whole or not at all, and the index matches the records.
                let records = try await Self.allKeys(database, collection: "records")
                let marks = try await Self.allKeys(database, collection: "marks")
                #expect(records.count >= acked)
                #expect(marks == records.filter { Int($0.dropFirst(2))! % 5 == 0 })
                let tens = try await database.query(module: "crash", collection: "records", where: ["tens": "1"], limit: 100)
                #expect(tens.items.map(\.key) == (10...19).map { String(format: "r-%05d", $0) })
            }
        }
    }

    /// The fixture executable, built beside the test bundle by `swift build --build-tests`.
    private static func fixture() -> URL? {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        // macOS runs tests from inside a .xctest bundle; Linux runs the .xctest file itself.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("knock-store-crash-fixture")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    @Test("a burst of visits from many callers killed with SIGKILL: every acknowledged visit is there after reopening")
    func killedVisitBurst() async throws {
        let fixture = try #require(Self.fixture(), "build the fixture first: swift build --build-tests")
        try await TestStore.with(.sqlite) { store in
            guard case .sqlite(let path) = store.location else { return }
            let process = Process()
            process.executableURL = fixture
            process.arguments = [path, "1000000", "visits"]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let killAfter = 2_000
            let acked = await Self.readAcks(from: output.fileHandleForReading, killing: process, after: killAfter)
            let ended = await ProcessExit.wait(process, timeout: .seconds(30))
            #expect(ended == .signalled(SIGKILL) || ended == .unknown, "the fixture ended \(String(describing: ended))")
            #expect(acked.count >= killAfter)

            try await store.open { database in
                let stored = try await database.engine.withSession { sql in
                    try await sql.select().column("id").from(CommunityTables.visits).all(decodingColumn: "id", as: String.self)
                }
                let missing = Set(acked).subtracting(stored)
                #expect(missing.isEmpty, "acknowledged but lost: \(missing.sorted().prefix(10))")
                #expect(stored.count >= acked.count)
            }
        }
    }

    /// Reads `acked X` lines; once `after` were read, kills the process and reads to the end.
    /// - Returns: Each X read, in order.
    private static func readAcks(from handle: FileHandle, killing process: Process, after: Int) async -> [String] {
        await withCheckedContinuation { continuation in
            // Blocking reads: on a thread of their own, not the test's.
            Thread.detachNewThread {
                var acks: [String] = []
                var pending = ""
                var killed = false
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    pending += String(decoding: data, as: UTF8.self)
                    while let newline = pending.firstIndex(of: "\n") {
                        let line = pending[..<newline]
                        pending = String(pending[pending.index(after: newline)...])
                        if line.hasPrefix("acked ") { acks.append(String(line.dropFirst(6))) }
                    }
                    if !killed && acks.count >= after {
                        kill(process.processIdentifier, SIGKILL)
                        killed = true
                    }
                }
                if !killed { kill(process.processIdentifier, SIGKILL) }
                continuation.resume(returning: acks)
            }
        }
    }

    private static func allKeys(_ database: KnockDatabase, collection: String) async throws -> [String] {
        var keys: [String] = []
        var after: String?
        repeat {
            let page = try await database.query(module: "crash", collection: collection, limit: 1000, after: after)
            keys += page.items.map(\.key)
            after = page.nextAfter
        } while after != nil
        return keys
    }
}
