import Foundation
import KnockSchema
import KnockWire
import SwiftProtobuf
import Testing

/// The protocol's own schemas (Protocol/wire.proto and demo.proto), as a host's describe method
/// hands them to the CLI, checked against KnockWire's generated types.
@Suite("Protocol schemas through the dynamic codec")
struct ProtocolSchemaTests {
    private let codec: DynamicCodec

    init() throws {
        codec = DynamicCodec(pool: try Fixtures.protocolPool())
        Fixtures.registerAnyTypes()
    }

    private static func status() throws -> WireStatus {
        var info = WireErrorInfo()
        info.reason = "NEED_TRANSITION_NOT_ALLOWED"
        info.domain = "knock.core"
        info.metadata = ["from": "open", "to": "resolved"]
        var violation = WireBadRequest.FieldViolation()
        violation.field = "visit.resident_id"
        violation.description_p = "expected a string"
        var badRequest = WireBadRequest()
        badRequest.violations = [violation]
        var text = WireMetadataEntry()
        text.key = "grid"
        text.text = "7"
        var binary = WireMetadataEntry()
        binary.key = "trace"
        binary.binary = Data([0, 1])
        var status = WireStatus()
        status.code = 9
        status.message = "a resolved need cannot be reopened here"
        status.details = [try Google_Protobuf_Any(message: info), try Google_Protobuf_Any(message: badRequest)]
        status.trailers = [text, binary]
        return status
    }

    /// Compares two statuses with the details unpacked: the bytes inside an `Any` holding a map
    /// depend on the writer's map order, which SwiftProtobuf does not fix.
    private static func expectSame(_ actual: WireStatus, _ expected: WireStatus) throws {
        var actualRest = actual
        var expectedRest = expected
        actualRest.details = []
        expectedRest.details = []
        #expect(actualRest == expectedRest)
        #expect(actual.details.map(\.typeURL) == expected.details.map(\.typeURL))
        for (got, want) in zip(actual.details, expected.details) {
            if want.isA(WireErrorInfo.self) {
                #expect(try WireErrorInfo(unpackingAny: got) == WireErrorInfo(unpackingAny: want))
            } else {
                #expect(try WireBadRequest(unpackingAny: got) == WireBadRequest(unpackingAny: want))
            }
        }
    }

    @Test("knock.wire.v1.Status with Any details (ErrorInfo, BadRequest) reads as JSON and back")
    func statusWithDetails() throws {
        let status = try Self.status()
        let json = try codec.json(fromBinary: try status.serializedBytes() as [UInt8], messageType: "knock.wire.v1.Status")
        #expect(json == #"{"code":9,"message":"a resolved need cannot be reopened here","details":[{"@type":"type.googleapis.com/knock.wire.v1.ErrorInfo","reason":"NEED_TRANSITION_NOT_ALLOWED","domain":"knock.core","metadata":{"from":"open","to":"resolved"}},{"@type":"type.googleapis.com/knock.wire.v1.BadRequest","violations":[{"field":"visit.resident_id","description":"expected a string"}]}],"trailers":[{"key":"grid","text":"7"},{"key":"trace","binary":"AAE="}]}"#)
        try Self.expectSame(WireStatus(jsonString: json), status)
        let bytes = try codec.binary(fromJSON: json, messageType: "knock.wire.v1.Status")
        try Self.expectSame(WireStatus(serializedBytes: bytes), status)
    }

    @Test("SwiftProtobuf's JSON for Hello and RequestHeader converts to the same bytes")
    func helloAndHeader() throws {
        var hello = WireHello()
        hello.versions = [1, 2]
        hello.maxFrameSize = 4_194_304
        hello.agent = "knock-swift/0.1"
        var extensionOffer = WireExtension()
        extensionOffer.name = "knock.compression"
        extensionOffer.required = true
        hello.extensions = [extensionOffer]
        let helloBytes = try codec.binary(fromJSON: try hello.jsonString(), messageType: "knock.wire.v1.Hello")
        #expect(helloBytes == (try hello.serializedBytes() as [UInt8]))

        var header = WireRequestHeader()
        header.method = "canteen.PlaceOrder"
        header.timeoutUs = .max
        header.idempotencyKey = "order-1"
        let headerJSON = try codec.json(fromBinary: try header.serializedBytes() as [UInt8], messageType: "knock.wire.v1.RequestHeader")
        #expect(headerJSON == #"{"method":"canteen.PlaceOrder","timeoutUs":"18446744073709551615","idempotencyKey":"order-1"}"#)
    }

    @Test("knock.demo.EchoRequest: what `knock call knock.demo.Echo --json` would send")
    func echo() throws {
        let bytes = try codec.binary(fromJSON: #"{"text": "你好", "payload": "AQID"}"#, messageType: "knock.demo.EchoRequest")
        #expect(bytes == [0x0A, 0x06, 0xE4, 0xBD, 0xA0, 0xE5, 0xA5, 0xBD, 0x12, 0x03, 0x01, 0x02, 0x03])
        #expect(try codec.json(fromBinary: bytes, messageType: "knock.demo.EchoResponse") == #"{"text":"你好","payload":"AQID"}"#)
        let pretty = DynamicCodec(pool: codec.pool, options: .init(prettyPrinted: true))
        #expect(try pretty.json(fromBinary: [UInt8](), messageType: "knock.demo.FailResponse") == "{}")
        #expect(try pretty.json(fromBinary: [0x08, 0x01], messageType: "knock.demo.SleepResponse") == "{\n  \"completed\": true\n}")
    }
}
