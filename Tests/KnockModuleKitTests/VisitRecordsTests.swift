import Foundation
import KnockModuleKit
import KnockTestSupport
import SwiftProtobuf
import Synchronization
import Testing

@Suite("Records that come with a visit")
struct VisitRecordsTests {
    /// A store that counts its reads.
    final class CountingStore: ModuleStore {
        let inner = MemoryModuleStore()
        private let reads = Mutex(0)
        var gets: Int { reads.withLock { $0 } }

        func put(_ record: ModuleRecord, expectedVersion: UInt64?) async throws -> UInt64 { try await inner.put(record, expectedVersion: expectedVersion) }
        func get(collection: String, key: String) async throws -> ModuleRecord? {
            reads.withLock { $0 += 1 }
            return try await inner.get(collection: collection, key: key)
        }
        func query(collection: String, where: [String: String], limit: Int, after: String?) async throws -> (records: [ModuleRecord], next: String?) {
            try await inner.query(collection: collection, where: `where`, limit: limit, after: after)
        }
        func delete(collection: String, key: String) async throws -> Bool { try await inner.delete(collection: collection, key: key) }
        func batch(_ operations: [ModuleBatchRequest.Operation]) async throws -> [UInt64] { try await inner.batch(operations) }
    }

    /// A record's value: any message will do.
    typealias Note = Google_Protobuf_StringValue

    static func note(_ text: String, key: String = "r-1", version: UInt64 = 0) throws -> ModuleRecord {
        var record = try ModuleRecord.make(Note(text), collection: "notes", key: key)
        record.version = version
        return record
    }

    static func request(lookedUp: [String]?, found: [ModuleRecord] = []) -> ModuleAssessRequest {
        var request = ModuleAssessRequest()
        request.resident.id = "r-1"
        if let lookedUp {
            request.visitRecords.collections = lookedUp
            request.visitRecords.found = found
        }
        return request
    }

    @Test("a collection the host looked up is answered from the request, found or not, without asking the store")
    func fromRequest() async throws {
        let store = CountingStore()
        _ = try await store.put(try Self.note("stored"), expectedVersion: nil)
        let request = Self.request(lookedUp: ["notes", "flags"], found: [try Self.note("sent along", version: 4)])

        let record = try await request.visitRecord(in: "notes", from: store)
        #expect(record?.version == 4)
        #expect(try await request.visitRecord(Note.self, in: "notes", from: store)?.value == "sent along")
        #expect(try await request.visitRecord(in: "flags", from: store) == nil)
        #expect(store.gets == 0)
    }

    @Test("a collection the host did not look up, or a request without records, is read from the store")
    func fromStore() async throws {
        let store = CountingStore()
        _ = try await store.put(try Self.note("stored"), expectedVersion: nil)
        #expect(try await Self.request(lookedUp: ["flags"]).visitRecord(Note.self, in: "notes", from: store)?.value == "stored")
        #expect(try await Self.request(lookedUp: nil).visitRecord(Note.self, in: "notes", from: store)?.value == "stored")
        let fresh = Self.request(lookedUp: ["notes"]).withoutVisitRecords
        #expect(!fresh.hasVisitRecords)
        #expect(try await fresh.visitRecord(Note.self, in: "notes", from: store)?.value == "stored")
        #expect(store.gets == 3)
    }

    @Test("a record sent for another resident is not taken for the visited one")
    func otherKey() async throws {
        let store = CountingStore()
        let stray = try Self.note("r-2's", key: "r-2")
        #expect(try await Self.request(lookedUp: ["notes"], found: [stray]).visitRecord(in: "notes", from: store) == nil)
    }

    @Test("a descriptor asks for at most eight collections, each named")
    func descriptorLimits() throws {
        var descriptor = ModuleDescriptor(id: "keeper", nameZh: "记事", nameEn: "Keeper", summary: "keeps notes", assessesVisits: true)
        descriptor.visitRecords = (1...8).map { "c\($0)" }
        try descriptor.validate()
        descriptor.visitRecords.append("c9")
        #expect(throws: RPCError.self) { try descriptor.validate() }
        descriptor.visitRecords = [""]
        #expect(throws: RPCError.self) { try descriptor.validate() }
        descriptor.visitRecords = [String(repeating: "n", count: 129)]
        #expect(throws: RPCError.self) { try descriptor.validate() }
    }
}

