import Foundation
import KnockSchema
import SwiftProtobuf
import Testing

/// What the proto3 JSON mapping looks like, value by value, as a user of `knock call` sees it.
@Suite("proto3 JSON mapping")
struct JSONMappingTests {
    private let codec: DynamicCodec
    private let type = Fixtures.everythingType

    init() throws {
        codec = try Fixtures.everythingCodec()
    }

    /// JSON in, the generated type's view of the bytes out.
    private func decode(_ json: String) throws -> FixtureEverything {
        try FixtureEverything(serializedBytes: codec.binary(fromJSON: json, messageType: type))
    }

    /// A generated message in, the dynamic codec's JSON out.
    private func json(_ message: FixtureEverything, _ options: DynamicCodec.Options = .init()) throws -> String {
        try Fixtures.everythingCodec(options).json(fromBinary: message.serializedBytes() as [UInt8], messageType: type)
    }

    @Test("fields come in field-number order under their JSON names; 64-bit integers are strings")
    func scalarsOutput() throws {
        var message = FixtureEverything()
        message.visitResidentID = "r-17"
        message.fInt64 = -9_007_199_254_740_993
        message.fInt32 = -5
        message.fUint64 = .max
        message.fFixed32 = 7
        message.fBool = true
        message.customNamed = 3
        message.fieldWith2Parts = "x"
        #expect(try json(message) == #"{"fInt32":-5,"fInt64":"-9007199254740993","fUint64":"18446744073709551615","fFixed32":7,"fBool":true,"renamed":3,"fieldWith2Parts":"x","visitResidentId":"r-17"}"#)
        #expect(try json(message, .init(useProtoFieldNames: true)) == #"{"f_int32":-5,"f_int64":"-9007199254740993","f_uint64":"18446744073709551615","f_fixed32":7,"f_bool":true,"custom_named":3,"field_with_2_parts":"x","visit_resident_id":"r-17"}"#)
    }

    @Test("pretty printing indents by two spaces")
    func pretty() throws {
        var message = FixtureEverything()
        message.fString = "敲门"
        message.rInt32 = [1, 2]
        message.fNested.note = "a\"b"
        message.wEmpty = Google_Protobuf_Empty()
        let expected = """
            {
              "fString": "敲门",
              "fNested": {
                "note": "a\\"b"
              },
              "rInt32": [
                1,
                2
              ],
              "wEmpty": {}
            }
            """
        #expect(try json(message, .init(prettyPrinted: true)) == expected)
    }

    @Test("integers are read from numbers and strings, exponents included, exactly")
    func integerInput() throws {
        let message = try decode(#"{"fInt64": "-9223372036854775808", "fUint64": 18446744073709551615, "fInt32": "12", "fUint32": 1e3, "fSint64": 25.0, "fFixed64": "1.5e1", "fSfixed32": -0}"#)
        #expect(message.fInt64 == .min)
        #expect(message.fUint64 == .max)
        #expect(message.fInt32 == 12)
        #expect(message.fUint32 == 1000)
        #expect(message.fSint64 == 25)
        #expect(message.fFixed64 == 15)
        #expect(message.fSfixed32 == 0)
    }

    @Test("floating point: NaN and infinities as strings, numbers in strings, shortest output")
    func floatingPoint() throws {
        let message = try decode(#"{"fFloat": "NaN", "fDouble": "-Infinity", "rDouble": [0.1, "2.5", "Infinity", 1e308], "rFloat": [3.4028235e38, -0.0]}"#)
        #expect(message.fFloat.isNaN)
        #expect(message.fDouble == -.infinity)
        #expect(message.rDouble == [0.1, 2.5, .infinity, 1e308])
        #expect(message.rFloat == [.greatestFiniteMagnitude, -0.0])
        #expect(message.rFloat[1].sign == .minus)
        #expect(try json(message) == #"{"fFloat":"NaN","fDouble":"-Infinity","rFloat":[3.4028235e+38,-0],"rDouble":[0.1,2.5,"Infinity",1e+308]}"#)
    }

    @Test("enums: names out, names or numbers in, numbers for values the schema does not name")
    func enums() throws {
        let message = try decode(#"{"fColour": "COLOUR_RED", "rColour": [2, "COLOUR_INFRARED", 41], "fLevel": "LEVEL_HIGH", "fHousehold": {"kind": "KIND_ALONE"}}"#)
        #expect(message.fColour == .red)
        #expect(message.rColour == [.green, .infrared, .UNRECOGNIZED(41)])
        #expect(message.fLevel == .high)
        #expect(message.fHousehold.kind == .alone)
        #expect(try json(message) == #"{"fColour":"COLOUR_RED","fLevel":"LEVEL_HIGH","fHousehold":{"kind":"KIND_ALONE"},"rColour":["COLOUR_GREEN","COLOUR_INFRARED",41]}"#)
    }

    @Test("bytes: standard base64 out; standard or URL-safe, padded or not, in")
    func bytes() throws {
        let message = try decode(#"{"fBytes": "-_8", "rBytes": ["+/8=", "", "AQID"], "oBytes": "AA"}"#)
        #expect(message.fBytes == Data([0xFB, 0xFF]))
        #expect(message.rBytes == [Data([0xFB, 0xFF]), Data(), Data([1, 2, 3])])
        #expect(message.oBytes == Data([0]))
        #expect(try json(message) == #"{"fBytes":"+/8=","oBytes":"AA==","rBytes":["+/8=","","AQID"]}"#)
    }

    @Test("proto3 optional keeps an explicit default; implicit-presence defaults are left out")
    func presence() throws {
        let message = try decode(#"{"oInt32": 0, "oString": "", "oColour": "COLOUR_UNSPECIFIED", "fInt32": 0, "fString": ""}"#)
        #expect(message.hasOInt32 && message.hasOString && message.hasOColour)
        #expect(try json(message) == #"{"oInt32":0,"oString":"","oColour":"COLOUR_UNSPECIFIED"}"#)
    }

    @Test("null means not set; proto names are accepted in input")
    func nullAndProtoNames() throws {
        let message = try decode(#"{"f_int32": 4, "fNested": null, "w_timestamp": null, "rInt32": null, "choice_text": null, "choiceNumber": "9", "custom_named": 2}"#)
        #expect(message.fInt32 == 4)
        #expect(!message.hasFNested && !message.hasWTimestamp)
        #expect(message.choiceNumber == 9)
        #expect(message.customNamed == 2)
    }

    @Test("maps: keys as strings of every key type, entries in key order")
    func maps() throws {
        let message = try decode(#"{"mInt64Colour": {"-3": "COLOUR_BLUE", "10": 1}, "mBoolString": {"true": "yes", "false": "no"}, "mFixed64Int32": {"18446744073709551615": 5}, "mStringString": {"b": "2", "a": "1"}}"#)
        #expect(message.mInt64Colour == [-3: .blue, 10: .red])
        #expect(message.mBoolString == [true: "yes", false: "no"])
        #expect(message.mFixed64Int32 == [.max: 5])
        #expect(try json(message) == #"{"mStringString":{"a":"1","b":"2"},"mInt64Colour":{"-3":"COLOUR_BLUE","10":"COLOUR_RED"},"mFixed64Int32":{"18446744073709551615":5},"mBoolString":{"false":"no","true":"yes"}}"#)
    }

    @Test("oneof: the member that is set, whatever its value")
    func oneof() throws {
        let message = try decode(#"{"choiceColour": "COLOUR_UNSPECIFIED"}"#)
        #expect(message.choice == .choiceColour(.unspecified))
        #expect(try json(message) == #"{"choiceColour":"COLOUR_UNSPECIFIED"}"#)
        // In binary, a later member replaces an earlier one.
        var first = FixtureEverything()
        first.choiceText = "first"
        var second = FixtureEverything()
        second.choiceNumber = 2
        let bytes: [UInt8] = try first.serializedBytes() + second.serializedBytes()
        #expect(try codec.json(fromBinary: bytes, messageType: type) == #"{"choiceNumber":"2"}"#)
    }

    @Test("binary merging: a singular message seen twice is merged, repeated fields concatenate")
    func merging() throws {
        var first = FixtureEverything()
        first.fNested.value = 1
        first.rInt32 = [1]
        var second = FixtureEverything()
        second.fNested.note = "n"
        second.rInt32 = [2]
        let bytes: [UInt8] = try first.serializedBytes() + second.serializedBytes()
        #expect(try codec.json(fromBinary: bytes, messageType: type) == #"{"fNested":{"value":1,"note":"n"},"rInt32":[1,2]}"#)
    }

    @Test("Timestamp and Duration as RFC 3339 and seconds; offsets are converted to UTC")
    func timeTypes() throws {
        let message = try decode(#"{"wTimestamp": "2024-02-29T23:30:00.5+08:00", "wDuration": "-1.000000001s", "rTimestamp": ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00.123456Z"]}"#)
        #expect(message.wTimestamp.seconds == 1_709_220_600 && message.wTimestamp.nanos == 500_000_000)
        #expect(message.wDuration.seconds == -1 && message.wDuration.nanos == -1)
        #expect(message.rTimestamp.map(\.seconds) == [-62_135_596_800, 253_402_300_799, 0])
        #expect(try json(message) == #"{"wTimestamp":"2024-02-29T15:30:00.500Z","wDuration":"-1.000000001s","rTimestamp":["0001-01-01T00:00:00Z","9999-12-31T23:59:59.999999999Z","1970-01-01T00:00:00.123456Z"]}"#)
    }

    @Test("wrappers are their scalar; Empty is {}; FieldMask is camelCase paths")
    func wrappersEmptyFieldMask() throws {
        let message = try decode(#"{"wInt64": "-5", "wUint32": 0, "wBool": false, "wString": "s", "wBytes": "AQ==", "wFloat": "NaN", "rInt32Wrapper": [1, 0], "wEmpty": {}, "wFieldMask": "visit.residentId,fInt32"}"#)
        #expect(message.wInt64.value == -5 && message.hasWUint32 && message.hasWBool)
        #expect(message.wFloat.value.isNaN)
        #expect(message.rInt32Wrapper.map(\.value) == [1, 0])
        #expect(message.hasWEmpty)
        #expect(message.wFieldMask.paths == ["visit.resident_id", "f_int32"])
        #expect(try json(message) == #"{"wEmpty":{},"wFieldMask":"visit.residentId,fInt32","wFloat":"NaN","wInt64":"-5","wUint32":0,"wBool":false,"wString":"s","wBytes":"AQ==","rInt32Wrapper":[1,0]}"#)
    }

    @Test("Struct, Value and ListValue are plain JSON; null is a Value")
    func structValue() throws {
        let message = try decode(#"{"wStruct": {"z": [1, "two", null, {"deep": true}], "a": null}, "wValue": null, "wList": [], "rValue": [null, 1.5], "mStringValue": {"k": null}}"#)
        #expect(message.wStruct.fields["a"] == Google_Protobuf_Value(nilLiteral: ()))
        #expect(message.wStruct.fields["z"]?.listValue.values.count == 4)
        #expect(message.wValue.nullValue == .nullValue)
        #expect(message.hasWList)
        #expect(message.rValue.count == 2)
        #expect(try json(message) == #"{"mStringValue":{"k":null},"wStruct":{"a":null,"z":[1,"two",null,{"deep":true}]},"wValue":null,"wList":[],"rValue":[null,1.5]}"#)
    }

    @Test("Any: @type and the fields, or @type and value for well-known types, resolved through the pool")
    func any() throws {
        var household = FixtureOtherHousehold()
        household.address = "3-2-101"
        var message = FixtureEverything()
        message.wAny = try Google_Protobuf_Any(message: household)
        message.rAny = [try Google_Protobuf_Any(message: Google_Protobuf_Duration(seconds: 90)), Google_Protobuf_Any()]
        let text = try json(message)
        #expect(text == #"{"wAny":{"@type":"type.googleapis.com/knock.schema.other.Household","address":"3-2-101"},"rAny":[{"@type":"type.googleapis.com/google.protobuf.Duration","value":"90s"},{}]}"#)
        // "@type" need not come first.
        let reordered = try decode(#"{"wAny": {"address": "3-2-101", "@type": "type.googleapis.com/knock.schema.other.Household"}}"#)
        #expect(try FixtureOtherHousehold(unpackingAny: reordered.wAny) == household)
        #expect(try Fixtures.normalized(decode(text)) == Fixtures.normalized(message))
    }

    @Test("strings: escapes and non-ASCII text survive both ways")
    func strings() throws {
        let message = try decode(#"{"fString": "\u0000\t\"\\\/\ud83c\udfe0敲", "rString": ["\u2028", "e\u0301", "é"]}"#)
        #expect(message.fString == "\u{0}\t\"\\/🏠敲")
        #expect(message.rString.map { Array($0.utf8) } == [[0xE2, 0x80, 0xA8], [0x65, 0xCC, 0x81], [0xC3, 0xA9]])
        #expect(try json(message) == #"{"fString":"\u0000\t\"\\/🏠敲","rString":["\#u{2028}","e\#u{301}","é"]}"#)
    }

    @Test("the message's own type may be a well-known type at the top level")
    func topLevelWellKnown() throws {
        let bytes = try codec.binary(fromJSON: #""2000-01-01T00:00:00Z""#, messageType: "google.protobuf.Timestamp")
        #expect(try Google_Protobuf_Timestamp(serializedBytes: bytes).seconds == 946_684_800)
        #expect(try codec.json(fromBinary: bytes, messageType: ".google.protobuf.Timestamp") == #""2000-01-01T00:00:00Z""#)
        #expect(try codec.json(fromBinary: [UInt8](), messageType: "google.protobuf.Empty") == "{}")
    }

    @Test("unknown fields in binary are skipped, groups included")
    func unknownBinaryFields() throws {
        // Field 999 varint, field 1000 length-delimited, field 1001 a group holding a varint,
        // field 1002 fixed32, then f_int32 = 5.
        let bytes: [UInt8] = [0xB8, 0x3E, 0x01, 0xC2, 0x3E, 0x02, 0x61, 0x62, 0xCB, 0x3E, 0x08, 0x01, 0xCC, 0x3E, 0xD5, 0x3E, 1, 2, 3, 4, 0x08, 0x05]
        #expect(try codec.json(fromBinary: bytes, messageType: type) == #"{"fInt32":5}"#)
    }

    @Test("unknown JSON fields can be skipped when asked")
    func ignoreUnknownFields() throws {
        let lenient = try Fixtures.everythingCodec(.init(ignoreUnknownFields: true))
        let bytes = try lenient.binary(fromJSON: #"{"nope": {"deep": [1]}, "fInt32": 3}"#, messageType: type)
        #expect(try FixtureEverything(serializedBytes: bytes).fInt32 == 3)
    }
}
