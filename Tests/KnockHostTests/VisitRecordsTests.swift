import Foundation
import KnockHost
import KnockModuleKit
import KnockRPC
import KnockTestSupport
import SwiftProtobuf
import Synchronization
import Testing

/// Records a method names in its descriptor's `visit_records` come with each visit it assesses.
@Suite("Records that come with a visit, in a host")
struct VisitRecordsHostTests {
    @Test("each method gets its own collections' records at the visited resident, read by the host; another method's, another resident's and other collections stay out")
    func sentAlong() async throws {
        let keeper = NoteKeeper(id: "keeper", collections: ["notes", "flags"])
        let other = NoteKeeper(id: "other", collections: ["notes"])
        try await CommunityFixture.with(builtIns: [keeper, other]) { street in
            let database = street.database
            try await database.put(module: "keeper", collection: "notes", key: "r-1", value: Array("keeper's note on r-1".utf8))
            try await database.put(module: "keeper", collection: "notes", key: "r-2", value: Array("keeper's note on r-2".utf8))
            try await database.put(module: "keeper", collection: "elsewhere", key: "r-1", value: Array("not asked for".utf8))
            try await database.put(module: "other", collection: "notes", key: "r-1", value: Array("other's note on r-1".utf8))
            let app = try await street.connect(.member, "m-1")
            defer { app.close() }
            _ = try await app.call(CommunityMethods.recordVisit, CommunityFixture.visit("v-1", resident: "r-1"))

            let kept = try #require(keeper.seen.first)
            #expect(kept.lookedUp == ["notes", "flags"])
            #expect(kept.found == ["notes/r-1 v1: keeper's note on r-1"])
            #expect(kept.notes == "keeper's note on r-1")
            let seen = try #require(other.seen.first)
            #expect(seen.lookedUp == ["notes"])
            #expect(seen.found == ["notes/r-1 v1: other's note on r-1"])
        }
    }

    @Test("records too large to send along are not sent: the method reads them from its store, and its assessment still works")
    func tooLargeToSend() async throws {
        let keeper = NoteKeeper(id: "keeper", collections: ["notes"])
        try await CommunityFixture.with(builtIns: [keeper]) { street in
            let large = String(repeating: "记", count: 100_000)  // 300,000 bytes of UTF-8
            try await street.database.put(module: "keeper", collection: "notes", key: "r-1", value: Array(large.utf8))
            let app = try await street.connect(.member, "m-1")
            defer { app.close() }
            let response = try await app.call(CommunityMethods.recordVisit, CommunityFixture.visit("v-1", resident: "r-1"))
            #expect(response.problems.isEmpty)
            let seen = try #require(keeper.seen.first)
            #expect(seen.lookedUp == nil)
            #expect(seen.notes == large)
        }
    }

    @Test("a method asked again after ABORTED gets no records with the visit and reads its store afresh")
    func afreshAfterConflict() async throws {
        let keeper = NoteKeeper(id: "keeper", collections: ["notes"], conflicts: 1)
        try await CommunityFixture.with(builtIns: [keeper]) { street in
            try await street.database.put(module: "keeper", collection: "notes", key: "r-1", value: Array("first".utf8))
            let app = try await street.connect(.member, "m-1")
            defer { app.close() }
            let response = try await app.call(CommunityMethods.recordVisit, CommunityFixture.visit("v-1", resident: "r-1"))
            #expect(response.problems.isEmpty)
            #expect(keeper.seen.map(\.lookedUp) == [["notes"], nil])
            // Both tries read the note: from the visit, then from the store.
            #expect(keeper.seen.map(\.notes) == ["first", "first"])
        }
    }
}

/// A method that keeps notes per resident and reports what came with each visit.
final class NoteKeeper: KnockModule {
    struct Seen: Sendable {
        /// The collections the host looked up; `nil` when no records came with the visit.
        var lookedUp: [String]?
        var found: [String]
        /// The note at the resident, through `visitRecord`.
        var notes: String?
    }

    let id: String
    let collections: [String]
    let conflicts: Int
    private let log = Mutex<[Seen]>([])

    init(id: String, collections: [String], conflicts: Int = 0) {
        self.id = id
        self.collections = collections
        self.conflicts = conflicts
    }

    var seen: [Seen] { log.withLock { $0 } }

    var descriptor: ModuleDescriptor {
        var descriptor = ModuleDescriptor(id: id, nameZh: "记事", nameEn: "Note keeper", summary: "keeps notes per resident", assessesVisits: true)
        descriptor.visitRecords = collections
        return descriptor
    }

    func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] {
        let note = try await request.visitRecord(in: "notes", from: context.store).map { String(decoding: $0.value, as: UTF8.self) }
        let seen = Seen(
            lookedUp: request.hasVisitRecords ? request.visitRecords.collections : nil,
            found: request.visitRecords.found.map { "\($0.collection)/\($0.key) v\($0.version): \(String(decoding: $0.value, as: UTF8.self))" },
            notes: note
        )
        let attempt = log.withLock { log in
            log.append(seen)
            return log.count
        }
        if attempt <= conflicts {
            throw RPCError(code: .aborted, message: "the note changed meanwhile; try again")
        }
        return []
    }
}
