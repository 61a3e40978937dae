import KnockWire
import NIOCore
import Testing

@Suite("Request header limits and codes")
struct WireValidationTests {
    private func header(method: String = "knock.demo.Echo", metadata: [(String, String)] = [], key: String = "") -> WireRequestHeader {
        var header = WireRequestHeader()
        header.method = method
        header.metadata = metadata.map { key, value in
            var entry = WireMetadataEntry()
            entry.key = key
            entry.text = value
            return entry
        }
        header.idempotencyKey = key
        return header
    }

    @Test("a good header passes")
    func good() throws {
        try header(metadata: [("x-request-id", "1"), ("grid.id", "qhj-3")], key: "v-1").validate()
    }

    @Test("bad headers name what is wrong", arguments: [
        ("", "method name must be"),
        ("Echo", "is not of the form service.Method"),
        (".Echo", "is not of the form"),
        ("knock.", "is not of the form"),
        (String(repeating: "a", count: 300) + ".M", "method name must be"),
    ])
    func badMethod(method: String, expected: String) {
        let error = #expect(throws: WireError.self) { try header(method: method).validate() }
        #expect(error?.code == .invalidHeader)
        #expect(error?.message.contains(expected) == true)
    }

    @Test("metadata keys, counts and sizes are limited")
    func metadataLimits() {
        #expect(throws: WireError.self) { try header(metadata: [("X-Upper", "v")]).validate() }
        #expect(throws: WireError.self) { try header(metadata: [("", "v")]).validate() }
        #expect(throws: WireError.self) { try header(metadata: [("key with space", "v")]).validate() }
        #expect(throws: WireError.self) { try header(metadata: [(String(repeating: "k", count: 65), "v")]).validate() }
        #expect(throws: WireError.self) {
            try header(metadata: (0...64).map { ("k\($0)", "v") }).validate()
        }
        #expect(throws: WireError.self) { try header(metadata: [("big", String(repeating: "x", count: 8_200))]).validate() }
        #expect(throws: WireError.self) { try header(key: String(repeating: "k", count: 129)).validate() }
    }

    @Test("status codes carry gRPC's numbers and names")
    func statusCodes() {
        #expect(StatusCode.all.count == 17)
        #expect(StatusCode.deadlineExceeded.rawValue == 4)
        #expect(StatusCode.resourceExhausted.rawValue == 8)
        #expect(StatusCode.unavailable.rawValue == 14)
        #expect(StatusCode.unauthenticated.rawValue == 16)
        #expect(StatusCode(name: "NOT_FOUND") == .notFound)
        for code in StatusCode.all {
            #expect(StatusCode(name: code.name) == code)
        }
        #expect(!StatusCode(rawValue: 17).isKnown)
    }

    @Test("malformed protocol payloads are reported, not trusted")
    func malformedPayloads() {
        let garbage = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF])
        #expect(throws: WireError.self) { try Frame(type: .hello, callID: 0, payload: garbage).decodeHello() }
        #expect(throws: WireError.self) { try Frame(type: .end, callID: 1, payload: garbage).decodeStatus() }
        #expect(throws: WireError.self) { try Frame(type: .goAway, callID: 0, payload: garbage).decodeGoAway() }
    }

    @Test("HELLO defaults: 0 means the documented default")
    func helloDefaults() {
        let empty = WireHello()
        #expect(empty.effectiveMaxFrameSize == 4_194_304)
        #expect(empty.effectiveMaxConcurrentCalls == 100)
        let mine = WireHello.knockDefault(maxFrameSize: 65_536, maxConcurrentCalls: 8)
        #expect(mine.versions == [1])
        #expect(mine.effectiveMaxFrameSize == 65_536)
        #expect(mine.effectiveMaxConcurrentCalls == 8)
    }
}
