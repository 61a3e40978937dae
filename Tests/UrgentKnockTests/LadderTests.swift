import Foundation
import KnockModuleKit
import Testing
@testable import UrgentKnock

@Suite("随时敲 configuration")
struct LadderTests {
    @Test("the default ladder knocks again within 30 minutes, then phones, calls the contact and the secretary within 15 each, then entry")
    func defaultLadder() throws {
        let settings = try UrgentKnockSettings([:])
        #expect(settings.ladder.rungs.map(\.kind) == [.knockAgain, .phone, .emergencyContact, .secretary, .entry])
        #expect(settings.ladder.rungs.map(\.minutes) == [30, 15, 15, 15, nil])
        #expect(settings.isVulnerable([.livingAlone]))
        #expect(settings.isVulnerable([.recentlyDischarged]))
        #expect(settings.isVulnerable([.disabled]))
        #expect(settings.isVulnerable([.advancedAge]))
        #expect(!settings.isVulnerable([.emptyNest, .elderly]))
        #expect(settings.secretary(of: "qinghe") == "role:staff")
    }

    @Test("a configured ladder, vulnerable tags and secretary are used as written")
    func configured() throws {
        let settings = try UrgentKnockSettings([
            "ladder": "phone:10, secretary:20, entry", "vulnerable": "empty-nest,disabled", "secretary.qinghe": "m-2",
        ])
        #expect(settings.ladder.rungs == [.init(kind: .phone, minutes: 10), .init(kind: .secretary, minutes: 20), .init(kind: .entry, minutes: nil)])
        #expect(settings.ladder.rung(after: .phone)?.kind == .secretary)
        #expect(settings.ladder.rung(after: .entry) == nil)
        #expect(settings.ladder.rung(.knockAgain) == nil)
        #expect(settings.isVulnerable([.emptyNest]))
        #expect(!settings.isVulnerable([.livingAlone]))
        #expect(settings.secretary(of: "qinghe") == "member:m-2")
        #expect(settings.secretary(of: "qingyi") == "role:staff")
    }

    @Test("a bad ladder is refused with the key and what is wrong", arguments: [
        ("knock-again:30,phone:15,emergency-contact:15,secretary:15", "the last step must be entry"),
        ("knock-again,entry", "needs its minutes"),
        ("knock-again:0,entry", "whole number from 1 to 1440"),
        ("knock-again:abc,entry", "whole number from 1 to 1440"),
        ("knock-again:1441,entry", "whole number from 1 to 1440"),
        ("knock-again:30,entry:5", "takes no minutes"),
        ("knock:30,entry", "unknown step 'knock'"),
        ("phone:5,phone:5,entry", "appears twice"),
        ("phone:5,,entry", "is not step or step:minutes"),
        ("phone:5:6,entry", "is not step or step:minutes"),
        ("", "is not step or step:minutes"),
    ])
    func badLadder(text: String, detail: String) throws {
        let error = try #require(throws: RPCError.self) { try UrgentKnockSettings(["ladder": text]) }
        #expect(error.code == .failedPrecondition)
        #expect(error.message.contains("ladder="))
        #expect(error.message.contains(detail))
    }

    @Test("other bad settings name their key", arguments: [
        (["vulnerable": "living-alone,lonely"], "vulnerable: unknown resident tag 'lonely'"),
        (["vulnerable": ""], "vulnerable: unknown resident tag ''"),
        (["time_zone": "Asia/Shanghai"], "time_zone: unknown key"),
        (["secretary.qinghe": "m 2"], "secretary.qinghe: 'm 2' is not a member id"),
        (["secretary.": "m-2"], "secretary.: name the community"),
        (["ladders": "phone:5,entry"], "ladders: unknown key"),
    ])
    func badSettings(configuration: [String: String], detail: String) throws {
        let error = try #require(throws: RPCError.self) { try UrgentKnockSettings(configuration) }
        #expect(error.code == .failedPrecondition)
        #expect(error.message.contains(detail))
    }

    @Test("the descriptor names the method, its events and permissions, and embeds its schemas")
    func descriptor() throws {
        let descriptor = UrgentKnock().descriptor
        #expect(descriptor.id == "urgent-knock")
        #expect(descriptor.nameZh == "随时敲")
        #expect(descriptor.events == ["tick"])
        #expect(Set(descriptor.permissions) == ["alerts.write", "residents.read"])
        #expect(descriptor.methods.map(\.name).sorted() == [
            "urgent-knock.Acknowledge", "urgent-knock.GetCase", "urgent-knock.ListCases", "urgent-knock.RaiseEmergency", "urgent-knock.RecordEntry",
        ])
        #expect(!descriptor.fileDescriptorSet.isEmpty)
        try descriptor.validate()
    }
}
