import Foundation
import KnockSchema
import SwiftProtobuf
import Testing

/// Every kind of bad input gives a ``SchemaError`` whose text tells a user what to fix.
@Suite("Errors a user sees")
struct ErrorTests {
    private let codec: DynamicCodec

    init() throws {
        codec = try Fixtures.everythingCodec()
    }

    /// The error converting `json` to a message of `type` (the fixture's `Everything` unless told).
    private func jsonError(_ json: String, type: String = Fixtures.everythingType) -> SchemaError? {
        Fixtures.schemaError { _ = try codec.binary(fromJSON: json, messageType: type) }
    }

    /// The error converting `bytes` to JSON.
    private func binaryError(_ bytes: [UInt8], type: String = Fixtures.everythingType) -> SchemaError? {
        Fixtures.schemaError { _ = try codec.json(fromBinary: bytes, messageType: type) }
    }

    @Test("an unknown type is named, with a suggestion when the simple name exists")
    func unknownType() throws {
        let error = try #require(jsonError("{}", type: "Everything"))
        #expect(error.code == .unknownType)
        #expect(error.description == "unknown message type 'Everything': the schema does not define it; did you mean 'knock.schema.test.Everything'?")
        let other = try #require(binaryError([], type: "knock.demo.Nope"))
        #expect(other.code == .unknownType)
        #expect(other.description == "unknown message type 'knock.demo.Nope': the schema does not define it")
    }

    @Test("the brief's example: a number where a string belongs, with the field path")
    func wrongKind() throws {
        let error = try #require(jsonError(#"{"visit": {"residentId": 5}}"#, type: "knock.schema.test.RecordVisitRequest"))
        #expect(error.code == .typeMismatch)
        #expect(error.fieldPath == "visit.resident_id")
        #expect(error.description == "visit.resident_id: expected a string, found a number")
    }

    @Test("wrong kinds in lists, maps and messages name the element")
    func wrongKindsNested() throws {
        let cases: [(String, String)] = [
            (#"{"visit": {"requests": ["a", 2]}}"#, "visit.requests[1]: expected a string, found a number"),
            (#"{"visit": {"requests": "a"}}"#, "visit.requests: expected a list, found a string"),
            (#"{"visit": []}"#, "visit: expected an object for knock.schema.test.RecordVisitRequest.Visit, found a list"),
            (#"{"visit": {"knockedAt": 5}}"#, #"visit.knocked_at: expected a timestamp string like "2024-05-01T09:30:00Z", found a number"#),
            (#"{"visit": {"requests": [null]}}"#, "visit.requests[0]: a list may not hold null"),
            ("[]", "expected an object for knock.schema.test.RecordVisitRequest, found a list"),
        ]
        for (json, expected) in cases {
            let error = try #require(jsonError(json, type: "knock.schema.test.RecordVisitRequest"), "\(json)")
            #expect(error.code == .typeMismatch, "\(json)")
            #expect(error.description == expected)
        }
        let mapError = try #require(jsonError(#"{"mInt32Nested": {"1": {"value": "x"}}}"#))
        #expect(mapError.description == #"m_int32_nested["1"].value: "x" is not an integer"#)
        let boolError = try #require(jsonError(#"{"fBool": "true"}"#))
        #expect(boolError.description == "f_bool: expected true or false, found a string")
    }

    @Test("an unknown field is an error that names it and lists the fields there are")
    func unknownField() throws {
        let error = try #require(jsonError(#"{"visit": {"residentID": "r-1"}}"#, type: "knock.schema.test.RecordVisitRequest"))
        #expect(error.code == .invalidField)
        #expect(error.fieldPath == "visit.residentID")
        #expect(error.message == #"knock.schema.test.RecordVisitRequest.Visit has no field named "residentID"; its fields are residentId, knockedAt, requests"#)
    }

    @Test("a field given twice, and two members of one oneof, are errors")
    func duplicates() throws {
        let twice = try #require(jsonError(#"{"fInt32": 1, "f_int32": 2}"#))
        #expect(twice.code == .invalidField)
        #expect(twice.description == "f_int32: the field is given twice, as 'fInt32' and as 'f_int32'")
        let oneof = try #require(jsonError(#"{"choiceText": "a", "choiceNumber": 1}"#))
        #expect(oneof.code == .invalidField)
        #expect(oneof.description == "choice_number: 'choice_text' and 'choice_number' are both set, but only one member of oneof 'choice' may be")
        let mapKey = try #require(jsonError(#"{"mStringString": {"a": "1", "a": "2"}}"#))
        #expect(mapKey.description == #"m_string_string["a"]: the map key is given twice"#)
    }

    @Test("values of the right kind but unusable: range, fractions, enum names, base64, times")
    func invalidValues() throws {
        let cases: [(String, String)] = [
            (#"{"fInt32": 2147483648}"#, "f_int32: 2147483648 is out of range for int32"),
            (#"{"fUint32": -1}"#, "f_uint32: -1 is out of range for uint32"),
            (#"{"fUint64": "18446744073709551616"}"#, "f_uint64: 18446744073709551616 is out of range for uint64"),
            (#"{"fInt64": 1.5}"#, "f_int64: 1.5 is not a whole number, as int64 needs"),
            (#"{"fInt64": "12abc"}"#, #"f_int64: "12abc" is not an integer"#),
            (#"{"fInt64": 1e400000000000}"#, "f_int64: 1e400000000000 is out of range for int64"),
            (#"{"fFloat": 1e39}"#, "f_float: 1e+39 is out of range for float"),
            (#"{"fDouble": 1e999}"#, "f_double: 1e999 is out of range for double"),
            (#"{"fDouble": "fast"}"#, #"f_double: "fast" is not a number"#),
            (#"{"fBytes": "a!"}"#, #"f_bytes: "a!" is not base64"#),
            (#"{"fColour": "PURPLE"}"#, #"f_colour: "PURPLE" is not a value of knock.schema.test.Colour; it has COLOUR_INFRARED, COLOUR_UNSPECIFIED, COLOUR_RED, COLOUR_GREEN, COLOUR_BLUE"#),
            (#"{"fColour": 4294967296}"#, "f_colour: 4294967296 is out of range for int32"),
            (#"{"mBoolString": {"yes": "x"}}"#, #"m_bool_string["yes"]: a map key of type bool must be "true" or "false""#),
            (#"{"mUint32Bytes": {"-1": "AA=="}}"#, #"m_uint32_bytes["-1"]: -1 is out of range for uint32"#),
            (#"{"wTimestamp": "2023-02-29T00:00:00Z"}"#, #"w_timestamp: "2023-02-29T00:00:00Z" is not an RFC 3339 timestamp from year 1 to 9999, like "2024-05-01T09:30:00Z""#),
            (#"{"wDuration": "315576000001s"}"#, #"w_duration: "315576000001s" is not a duration of at most 315576000000 seconds, like "1.5s""#),
            (#"{"wFieldMask": "a_b"}"#, #"w_field_mask: field mask path "a_b" may not contain '_' in JSON"#),
            (#"{"wValue": 1e999}"#, "w_value: 1e999 is out of range for a google.protobuf.Value number"),
        ]
        for (json, expected) in cases {
            let error = try #require(jsonError(json), "\(json)")
            #expect(error.code == .invalidValue, "\(json)")
            #expect(error.description == expected)
        }
    }

    @Test("Any: a missing or unknown @type is reported")
    func anyErrors() throws {
        let unknown = try #require(jsonError(#"{"rAny": [{"@type": "type.googleapis.com/knock.nope.Thing"}]}"#))
        #expect(unknown.code == .unknownType)
        #expect(unknown.description == "r_any[0].@type: unknown message type 'knock.nope.Thing': the schema does not define it")
        let missing = try #require(jsonError(#"{"wAny": {"address": "x"}}"#))
        #expect(missing.code == .invalidField)
        #expect(missing.description == #"w_any.@type: a google.protobuf.Any needs "@type", e.g. "type.googleapis.com/knock.wire.v1.ErrorInfo""#)
        let inner = try #require(jsonError(#"{"wAny": {"@type": "type.googleapis.com/knock.schema.other.Household", "adress": "x"}}"#))
        #expect(inner.code == .invalidField)
        #expect(inner.fieldPath == "w_any.adress")
        let wellKnown = try #require(jsonError(#"{"wAny": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "1x"}}"#))
        #expect(wellKnown.description == #"w_any.value: "1x" is not a duration of at most 315576000000 seconds, like "1.5s""#)
    }

    @Test("text that is not JSON says where")
    func invalidJSON() throws {
        let cases: [(String, String)] = [
            (#"{"fInt32": }"#, "invalid JSON at line 1, column 12: unexpected character '}' where a value should be"),
            ("{\n  \"fInt32\": 1,\n}", "invalid JSON at line 3, column 1: expected a member name in double quotes"),
            (#"{"fString": "abc"#, "invalid JSON at line 1, column 17: the text ends inside a string"),
            (#"{"fInt32": 01}"#, "invalid JSON at line 1, column 13: a number may not have a leading zero"),
            (#"{} {}"#, "invalid JSON at line 1, column 4: unexpected text after the JSON value"),
            (#"{"fString": "\ud800"}"#, #"invalid JSON at line 1, column 20: a high surrogate \ud800 is not followed by a low one"#),
            ("", "invalid JSON at line 1, column 1: the text ends where a value should be"),
            (#"{"fInt32": NaN}"#, "invalid JSON at line 1, column 12: unexpected character 'N' where a value should be"),
        ]
        for (json, expected) in cases {
            let error = try #require(jsonError(json), "\(json)")
            #expect(error.code == .invalidJSON, "\(json)")
            #expect(error.description == expected)
        }
        let deep = String(repeating: "[", count: 100_000)
        #expect(jsonError(#"{"wValue": "# + deep)?.code == .invalidJSON)
    }

    @Test("values JSON cannot show are reported on output")
    func unrepresentableOutput() throws {
        var message = FixtureEverything()
        message.wValue.numberValue = .nan
        #expect(binaryError(try message.serializedBytes())?.description == "w_value: a google.protobuf.Value cannot hold NaN in JSON")
        message = FixtureEverything()
        message.rTimestamp = [Google_Protobuf_Timestamp(), Google_Protobuf_Timestamp(seconds: 253_402_300_800)]
        #expect(binaryError(try message.serializedBytes())?.description == "r_timestamp[1]: a google.protobuf.Timestamp of 253402300800 s and 0 ns is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z")
        message = FixtureEverything()
        message.wDuration = Google_Protobuf_Duration(seconds: 1, nanos: -1)
        #expect(binaryError(try message.serializedBytes())?.code == .invalidValue)
        message = FixtureEverything()
        message.wAny.typeURL = "type.googleapis.com/knock.nope.Thing"
        #expect(binaryError(try message.serializedBytes())?.description == "w_any: unknown message type 'knock.nope.Thing': the schema does not define it")
    }
}
