import Foundation
import KnockDomain
import Testing
@testable import KnockStore

@Suite("Stored JSON")
struct StoredJSONTests {
    /// Every kind of provenance (a new case must be added here and to the writer).
    static let provenances: [Provenance] = [
        .member("m-1"), .administrator("admin"), .module("daily-knock"), .integrator("hospital"), .department("civil-affairs"), .host,
    ]

    @Test("a knock's reasons are written byte for byte as JSONEncoder writes them, and read back the same")
    func reasons() throws {
        // Every ASCII character, quotes and backslashes, control characters, slashes, Chinese
        // and emoji, the empty string.
        let texts = [
            String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }),
            "每天敲: daily — 独居高龄；近期出院 recently discharged",
            "say \"hello\" \\ back/slash / \u{7F} \u{2028} 🧓🏻",
            "",
        ]
        var lists: [[PlannedKnock.Reason]] = [[]]
        for (index, provenance) in Self.provenances.enumerated() {
            lists.append([PlannedKnock.Reason(why: texts[index % texts.count], suggestedBy: provenance)])
        }
        lists.append(zip(texts, Self.provenances).map { PlannedKnock.Reason(why: $0, suggestedBy: $1) })
        lists.append([PlannedKnock.Reason(why: "x", suggestedBy: .member("m \"1\" \n"))])
        for reasons in lists {
            let written = StoredJSON.reasons(reasons)
            #expect(written == (try StoredJSON.encode(reasons)))
            #expect(try StoredJSON.decode([PlannedKnock.Reason].self, from: written) == reasons)
        }
    }

    @Test("a record's indexed fields and lists of strings are written byte for byte as JSONEncoder writes them, and fields read back the same, escaped or not")
    func fields() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let maps: [[String: String]] = [
            [:],
            ["community": "qinghe"],
            ["elder": "r-1", "active": "1", "community": "qinghe", "day": "qinghe|2026-11-29"],
            ["网格": "青和居 1栋", "": "", "emoji": "🧓🏻"],
            ["say": "\"hello\" \\ back/slash", "line": "a\nb\tc\u{1}", "path/with": "x/y"],
            ["every": String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) })],
        ]
        for map in maps {
            let written = StoredJSON.fields(map)
            #expect(written == String(decoding: try encoder.encode(map), as: UTF8.self))
            #expect(try StoredJSON.fields(from: written) == map)
        }
        for list in [[], [""], ["r-1", "r-2"], maps.flatMap(\.values), maps.flatMap(\.keys)] {
            #expect(StoredJSON.strings(list) == (try StoredJSON.encode(list)))
        }
        for broken in ["", "{", "[]", "{\"a\"}", "{\"a\":\"b\",}", "{\"a\":\"b\" \"c\":\"d\"}", "{\"a\":1}", "{\"a\";\"b\"}"] {
            #expect(throws: StoreError.self, "\(broken)") { try StoredJSON.fields(from: broken) }
        }
    }

    @Test("a contact is read back as JSONDecoder reads it, escaped or not; a contact missing a field is refused")
    func contact() throws {
        for contact in [
            Contact(name: "刘芳", phone: "13800000000", relation: "女儿"), Contact(name: "", phone: "", relation: ""),
            Contact(name: "say \"hi\"", phone: "027/8888", relation: "a\\b\n"),
        ] {
            let written = try StoredJSON.encode(contact)
            #expect(try StoredJSON.contact(from: written) == contact)
            #expect(try StoredJSON.contact(from: written) == (try StoredJSON.decode(Contact.self, from: written)))
        }
        #expect(throws: StoreError.self) { try StoredJSON.contact(from: #"{"name":"刘芳","phone":"1"}"#) }
        #expect(throws: StoreError.self) { try StoredJSON.contact(from: "[]") }
    }
}
