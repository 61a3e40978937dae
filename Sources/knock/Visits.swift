import ArgumentParser
import Foundation
import KnockMessages
import KnockModuleKit
import SwiftProtobuf

struct VisitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visit", abstract: "Record visits (随身记载).", subcommands: [Record.self]
    )

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record one visit; prints what the methods raised.")
        @OptionGroup var options: ClientOptions
        @Option(help: "The resident visited.") var resident: String
        @Option(help: "door, online or phone.") var channel: String = "door"
        @Option(help: "met, no-answer, refused or note-left.") var outcome: String = "met"
        @Option(help: "The person's situation as seen.") var observations: String = ""
        @Option(help: "Their opinions and suggestions.") var opinions: String = ""
        @Option(name: .customLong("request"), help: "What they asked for (repeatable).") var requests: [String] = []
        @Option(help: "The visit's id: sent again with the same --at and content it is recorded once; other content under it is refused. Default: a new UUID.") var id: String?
        @Option(help: "When (ISO 8601). Default: now (give it when sending a visit again with --id).") var at: String?
        @Option(help: "Who knocked. Default: the identity's member.") var member: String?

        func run() async throws {
            try await reporting {
                var visit = CommunityVisit()
                visit.id = id ?? UUID().uuidString.lowercased()
                visit.residentID = resident
                visit.channel = try Parse.channel(channel)
                visit.outcome = try Parse.outcome(outcome)
                visit.observations = observations
                visit.opinions = opinions
                visit.requests = requests
                visit.at = Google_Protobuf_Timestamp(date: try at.map(Parse.time) ?? Date())
                visit.memberID = member ?? ""
                var request = CommunityRecordVisitRequest()
                request.visit = visit
                let response = try await options.call(CommunityMethods.recordVisit, request)
                try options.show(response) {
                    print(response.duplicate ? "visit \(response.visit.id) was already recorded; nothing new" : "recorded visit \(response.visit.id)")
                    Suggestions.report(response.raised, problems: response.problems)
                }
            }
        }
    }
}

enum Suggestions {
    /// Prints what the methods raised and which did not answer, one line each.
    static func report(_ raised: [CommunityAppliedSuggestion], problems: [CommunityModuleProblem]) {
        for entry in raised {
            print("  \(Text.name(entry.outcome)): \(describe(entry.suggestion)) [\(entry.suggestion.suggestedBy)]\(entry.recordID.isEmpty ? "" : " → \(entry.recordID)")\(entry.detail.isEmpty ? "" : " (\(entry.detail))")")
        }
        for problem in problems {
            print("  ! \(problem.module): \(problem.detail)")
        }
    }

    static func describe(_ suggestion: ModuleSuggestion) -> String {
        switch suggestion.kind {
        case .raiseNeed(let need): "need \(need.category) (\(Text.urgency(need.urgency))): \(need.summary)"
        case .flagKeyPerson(let flag): "key person: \(flag.reason), every \(flag.cadenceDays) days"
        case .unflagKeyPerson(let unflag): "off the key-persons list: \(unflag.reason)"
        case .scheduleKnock(let knock): "knock \(knock.date): \(knock.why)"
        case .raiseAlert(let alert): "alert (\(Text.urgency(alert.urgency))): \(alert.message)"
        case .refer(let refer): "refer to \(refer.toModule): \(refer.note)"
        case nil: "(empty)"
        }
    }
}
