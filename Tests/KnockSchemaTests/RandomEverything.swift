import Foundation
import KnockTestSupport
import SwiftProtobuf

/// Random instances of the generated fixture types, leaning towards edge values (extremes of
/// each integer type, negative zero, subnormals, empty and non-ASCII strings).
struct RandomEverything {
    var generator: SeededGenerator
    /// The largest number of entries in a map (and in a `Struct`). SwiftProtobuf writes maps in
    /// dictionary order, so byte-for-byte comparisons use at most one.
    var maximumMapEntries = 4
    /// How often a field is set.
    var density = 0.45

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    private mutating func chance(_ probability: Double? = nil) -> Bool {
        Double.random(in: 0..<1, using: &generator) < (probability ?? density)
    }

    private mutating func pick<T>(_ values: [T]) -> T {
        values[Int.random(in: 0..<values.count, using: &generator)]
    }

    private mutating func count(_ maximum: Int = 4) -> Int {
        Int.random(in: 0...maximum, using: &generator)
    }

    mutating func int32() -> Int32 {
        chance(0.5) ? pick([0, 1, -1, .max, .min, 127, 128, -129]) : Int32.random(in: .min ... .max, using: &generator)
    }

    mutating func int64() -> Int64 {
        chance(0.5) ? pick([0, 1, -1, .max, .min, 1 << 53, (1 << 53) + 1, -(1 << 53) - 1]) : Int64.random(in: .min ... .max, using: &generator)
    }

    mutating func uint32() -> UInt32 {
        chance(0.5) ? pick([0, 1, .max, 1 << 31]) : UInt32.random(in: 0 ... .max, using: &generator)
    }

    mutating func uint64() -> UInt64 {
        chance(0.5) ? pick([0, 1, .max, 1 << 63, (1 << 53) + 1]) : UInt64.random(in: 0 ... .max, using: &generator)
    }

    /// Any float but NaN (NaN is never equal to itself; it has its own tests).
    mutating func float() -> Float {
        if chance(0.5) {
            return pick([0, -0.0, 1, -1.5, 0.1, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude, .infinity, -.infinity, 3.4028235e38, 16_777_216, 16_777_218])
        }
        var value = Float(bitPattern: UInt32.random(in: 0 ... .max, using: &generator))
        while value.isNaN { value = Float(bitPattern: UInt32.random(in: 0 ... .max, using: &generator)) }
        return value
    }

    mutating func double() -> Double {
        if chance(0.5) {
            return pick([0, -0.0, 1, -1.5, 0.1, 1e300, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude, .infinity, -.infinity, 9_007_199_254_740_992, 123_456_789.125])
        }
        var value = Double(bitPattern: UInt64.random(in: 0 ... .max, using: &generator))
        while value.isNaN { value = Double(bitPattern: UInt64.random(in: 0 ... .max, using: &generator)) }
        return value
    }

    mutating func finiteDouble() -> Double {
        var value = double()
        while !value.isFinite { value = double() }
        return value
    }

    mutating func string() -> String {
        let pieces = ["", "a", "敲门", "\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{7F}", "é", "e\u{301}", "🏠", "/", "\u{2028}", "grid-7", " ", "{}"]
        return (0..<count(4)).map { _ in pick(pieces) }.joined()
    }

    mutating func bytes() -> Data {
        Data((0..<count(9)).map { _ in UInt8.random(in: 0 ... 255, using: &generator) })
    }

    mutating func colour() -> FixtureColour {
        pick([.unspecified, .red, .green, .blue, .infrared, .UNRECOGNIZED(7), .UNRECOGNIZED(-100)])
    }

    mutating func level() -> FixtureEverything.Level {
        pick([.unspecified, .low, .high, .UNRECOGNIZED(99)])
    }

    mutating func nested(depth: Int = 0) -> FixtureEverything.Nested {
        var nested = FixtureEverything.Nested()
        if chance() { nested.value = int32() }
        if chance() { nested.note = string() }
        if depth < 2, chance(0.3) { nested.child = self.nested(depth: depth + 1) }
        if chance() { nested.levels = (0..<count()).map { _ in level() } }
        return nested
    }

    mutating func household() -> FixtureOtherHousehold {
        var household = FixtureOtherHousehold()
        if chance() { household.address = string() }
        if chance() { household.memberIds = (0..<count()).map { _ in int64() } }
        if chance() { household.kind = pick([.unspecified, .family, .alone]) }
        return household
    }

    mutating func timestamp() -> Google_Protobuf_Timestamp {
        var timestamp = Google_Protobuf_Timestamp()
        timestamp.seconds = chance(0.3)
            ? pick([-62_135_596_800, 253_402_300_799, 0, -1, 951_782_400, 1_709_164_800])
            : Int64.random(in: -62_135_596_800 ... 253_402_300_799, using: &generator)
        timestamp.nanos = pick([0, 1, 999_999_999, 500_000_000, 123_000, Int32.random(in: 0 ... 999_999_999, using: &generator)])
        return timestamp
    }

    mutating func duration() -> Google_Protobuf_Duration {
        var duration = Google_Protobuf_Duration()
        let seconds = chance(0.3) ? pick([0, 315_576_000_000, 1, 59]) : Int64.random(in: 0 ... 315_576_000_000, using: &generator)
        let nanos = pick([0, 1, 999_999_999, 250_000_000, Int32.random(in: 0 ... 999_999_999, using: &generator)])
        let negative = chance(0.5)
        duration.seconds = negative ? -seconds : seconds
        duration.nanos = negative ? -nanos : nanos
        return duration
    }

    mutating func value(depth: Int = 0) -> Google_Protobuf_Value {
        var value = Google_Protobuf_Value()
        switch Int.random(in: 0 ..< (depth < 2 ? 6 : 4), using: &generator) {
        case 0: value.nullValue = .nullValue
        case 1: value.numberValue = finiteDouble()
        case 2: value.stringValue = string()
        case 3: value.boolValue = chance(0.5)
        case 4: value.structValue = structure(depth: depth + 1)
        default: value.listValue = list(depth: depth + 1)
        }
        return value
    }

    mutating func structure(depth: Int = 0) -> Google_Protobuf_Struct {
        var structure = Google_Protobuf_Struct()
        for _ in 0..<count(maximumMapEntries) {
            structure.fields[string()] = value(depth: depth)
        }
        return structure
    }

    mutating func list(depth: Int = 0) -> Google_Protobuf_ListValue {
        var list = Google_Protobuf_ListValue()
        list.values = (0..<count(3)).map { _ in value(depth: depth) }
        return list
    }

    mutating func fieldMask() -> Google_Protobuf_FieldMask {
        var mask = Google_Protobuf_FieldMask()
        mask.paths = (0..<count(3)).map { _ in pick(["visit", "visit.resident_id", "f_int32", "a.b_c.d_e_f", "w2_x"]) }
        return mask
    }

    /// An `Any` holding a message whose bytes do not depend on map order.
    mutating func any() throws -> Google_Protobuf_Any {
        switch Int.random(in: 0..<8, using: &generator) {
        case 0: return try Google_Protobuf_Any(message: nested())
        case 1: return try Google_Protobuf_Any(message: household())
        case 2: return try Google_Protobuf_Any(message: timestamp())
        case 3: return try Google_Protobuf_Any(message: duration())
        case 4: return try Google_Protobuf_Any(message: Google_Protobuf_Int32Value(int32()))
        case 5: return try Google_Protobuf_Any(message: Google_Protobuf_Empty())
        case 6:
            var inner = FixtureEverything()
            inner.fString = string()
            inner.rSint64 = [int64(), int64()]
            return try Google_Protobuf_Any(message: inner)
        default:
            // An Any inside an Any.
            return try Google_Protobuf_Any(message: Google_Protobuf_Any(message: household()))
        }
    }

    private mutating func map<Key: Hashable, Value>(
        _ key: (inout RandomEverything) -> Key,
        _ value: (inout RandomEverything) -> Value
    ) -> [Key: Value] {
        var map: [Key: Value] = [:]
        for _ in 0..<count(maximumMapEntries) {
            map[key(&self)] = value(&self)
        }
        return map
    }

    mutating func everything(depth: Int = 0) throws -> FixtureEverything {
        var m = FixtureEverything()
        if chance() { m.fInt32 = int32() }
        if chance() { m.fInt64 = int64() }
        if chance() { m.fUint32 = uint32() }
        if chance() { m.fUint64 = uint64() }
        if chance() { m.fSint32 = int32() }
        if chance() { m.fSint64 = int64() }
        if chance() { m.fFixed32 = uint32() }
        if chance() { m.fFixed64 = uint64() }
        if chance() { m.fSfixed32 = int32() }
        if chance() { m.fSfixed64 = int64() }
        if chance() { m.fFloat = float() }
        if chance() { m.fDouble = double() }
        if chance() { m.fBool = chance(0.5) }
        if chance() { m.fString = string() }
        if chance() { m.fBytes = bytes() }
        if chance() { m.fColour = colour() }
        if chance() { m.fNested = nested() }
        if chance() { m.fLevel = level() }
        if chance() { m.fHousehold = household() }

        if chance() { m.oInt32 = int32() }
        if chance() { m.oInt64 = int64() }
        if chance() { m.oDouble = double() }
        if chance() { m.oString = string() }
        if chance() { m.oBytes = bytes() }
        if chance() { m.oBool = chance(0.5) }
        if chance() { m.oColour = colour() }
        if chance() { m.oUint64 = uint64() }

        if chance() { m.rInt32 = (0..<count()).map { _ in int32() } }
        if chance() { m.rInt64 = (0..<count()).map { _ in int64() } }
        if chance() { m.rUint32 = (0..<count()).map { _ in uint32() } }
        if chance() { m.rUint64 = (0..<count()).map { _ in uint64() } }
        if chance() { m.rSint32 = (0..<count()).map { _ in int32() } }
        if chance() { m.rSint64 = (0..<count()).map { _ in int64() } }
        if chance() { m.rFixed32 = (0..<count()).map { _ in uint32() } }
        if chance() { m.rFixed64 = (0..<count()).map { _ in uint64() } }
        if chance() { m.rSfixed32 = (0..<count()).map { _ in int32() } }
        if chance() { m.rSfixed64 = (0..<count()).map { _ in int64() } }
        if chance() { m.rFloat = (0..<count()).map { _ in float() } }
        if chance() { m.rDouble = (0..<count()).map { _ in double() } }
        if chance() { m.rBool = (0..<count()).map { _ in chance(0.5) } }
        if chance() { m.rString = (0..<count()).map { _ in string() } }
        if chance() { m.rBytes = (0..<count()).map { _ in bytes() } }
        if chance() { m.rColour = (0..<count()).map { _ in colour() } }
        if chance() { m.rNested = (0..<count()).map { _ in nested() } }

        if chance() { m.uInt32 = (0..<count()).map { _ in int32() } }
        if chance() { m.uDouble = (0..<count()).map { _ in double() } }
        if chance() { m.uColour = (0..<count()).map { _ in colour() } }
        if chance() { m.uSint64 = (0..<count()).map { _ in int64() } }

        if chance() { m.mStringString = map({ $0.string() }, { $0.string() }) }
        if chance() { m.mInt32Nested = map({ $0.int32() }, { $0.nested() }) }
        if chance() { m.mInt64Colour = map({ $0.int64() }, { $0.colour() }) }
        if chance() { m.mUint32Bytes = map({ $0.uint32() }, { $0.bytes() }) }
        if chance() { m.mUint64Double = map({ $0.uint64() }, { $0.double() }) }
        if chance() { m.mSint32Float = map({ $0.int32() }, { $0.float() }) }
        if chance() { m.mSint64String = map({ $0.int64() }, { $0.string() }) }
        if chance() { m.mFixed32Bool = map({ $0.uint32() }, { $0.chance(0.5) }) }
        if chance() { m.mFixed64Int32 = map({ $0.uint64() }, { $0.int32() }) }
        if chance() { m.mSfixed32Uint64 = map({ $0.int32() }, { $0.uint64() }) }
        if chance() { m.mSfixed64Int64 = map({ $0.int64() }, { $0.int64() }) }
        if chance() { m.mBoolString = map({ $0.chance(0.5) }, { $0.string() }) }
        if chance() { m.mStringTimestamp = map({ $0.string() }, { $0.timestamp() }) }
        if chance() { m.mStringValue = map({ $0.string() }, { $0.value() }) }

        switch Int.random(in: 0..<8, using: &generator) {
        case 0: m.choiceText = string()
        case 1: m.choiceNumber = int64()
        case 2: m.choiceNested = nested()
        case 3: m.choiceColour = colour()
        case 4: m.choiceBytes = bytes()
        case 5: m.choiceTime = timestamp()
        default: break
        }

        if chance() { m.customNamed = int32() }
        if chance() { m.fieldWith2Parts = string() }
        if chance() { m.visitResidentID = string() }

        if chance() { m.wTimestamp = timestamp() }
        if chance() { m.wDuration = duration() }
        if chance() { m.wAny = try any() }
        if chance() { m.wStruct = structure() }
        if chance() { m.wValue = value() }
        if chance() { m.wList = list() }
        if chance() { m.wEmpty = Google_Protobuf_Empty() }
        if chance() { m.wFieldMask = fieldMask() }
        if chance() { m.wDouble = Google_Protobuf_DoubleValue(double()) }
        if chance() { m.wFloat = Google_Protobuf_FloatValue(float()) }
        if chance() { m.wInt64 = Google_Protobuf_Int64Value(int64()) }
        if chance() { m.wUint64 = Google_Protobuf_UInt64Value(uint64()) }
        if chance() { m.wInt32 = Google_Protobuf_Int32Value(int32()) }
        if chance() { m.wUint32 = Google_Protobuf_UInt32Value(uint32()) }
        if chance() { m.wBool = Google_Protobuf_BoolValue(chance(0.5)) }
        if chance() { m.wString = Google_Protobuf_StringValue(string()) }
        if chance() { m.wBytes = Google_Protobuf_BytesValue(bytes()) }
        if chance() { m.rAny = try (0..<count(2)).map { _ in try any() } }
        if chance() { m.rTimestamp = (0..<count(3)).map { _ in timestamp() } }
        if chance() { m.rInt32Wrapper = (0..<count(3)).map { _ in Google_Protobuf_Int32Value(int32()) } }
        if chance() { m.rValue = (0..<count(3)).map { _ in value() } }

        if depth < 1, chance(0.3) { m.child = try everything(depth: depth + 1) }
        return m
    }
}
