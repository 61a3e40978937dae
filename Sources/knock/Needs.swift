import ArgumentParser
import Foundation
import KnockMessages
import KnockModuleKit

struct NeedsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "needs", abstract: "The resident-needs list (居民需求清单).",
        subcommands: [List.self, Show.self, Raise.self, Assign.self, Start.self, Resolve.self, FollowUp.self, Reopen.self, Decline.self],
        defaultSubcommand: List.self
    )

    static func printNeeds(_ needs: [CommunityNeed]) {
        let rows = needs.map { need in
            [need.id, need.residentID, need.gridID, need.category, Text.urgency(need.urgency), Text.name(need.status) + (need.overdue ? " OVERDUE" : ""),
             need.owner, Text.time(need.dueAt), need.summary]
        }
        print(Table.render(header: ["ID", "RESIDENT", "GRID", "CATEGORY", "URGENCY", "STATUS", "OWNER", "DUE", "SUMMARY"], rows: rows))
        if rows.isEmpty { print("(no needs)") }
    }

    static func printNeed(_ need: CommunityNeed) {
        print("\(need.id)  \(need.category)  \(Text.urgency(need.urgency))  \(Text.name(need.status))\(need.overdue ? "  OVERDUE" : "")")
        print("resident \(need.residentID), grid \(need.gridID); owner \(need.owner.isEmpty ? "-" : need.owner); due \(Text.time(need.dueAt))")
        print(need.summary)
        for event in need.history {
            let from = event.from == .unspecified ? "raised" : Text.name(event.from) + " →"
            print("  \(Text.time(event.at))  \(from) \(Text.name(event.to))  by \(event.by)\(event.owner.isEmpty ? "" : ", owner \(event.owner)")\(event.note.isEmpty ? "" : ": \(event.note)")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List needs (default: every active one in your scope).")
        @OptionGroup var options: ClientOptions
        @Option(help: "open, assigned, in-progress, resolved, followed-up, declined (repeatable).") var status: [String] = []
        @Option(help: "Only this category.") var category: String?
        @Flag(help: "Only active needs past their due time.") var overdue = false
        @Option(help: "Only this resident's.") var resident: String?
        @Option(help: "Only this owner's (member:<id>, module:<id>, department:<name>).") var owner: String?
        @Option(help: "At most this many (≤ 1000).") var limit: UInt32 = 100
        @Option(help: "Continue after this need id (from the previous page).") var after: String?

        func run() async throws {
            try await reporting {
                var request = CommunityListNeedsRequest()
                request.statuses = try status.map(Parse.status)
                request.category = category ?? ""
                request.overdueOnly = overdue
                request.residentID = resident ?? ""
                request.owner = owner ?? ""
                request.limit = limit
                request.after = after ?? ""
                let response = try await options.call(CommunityMethods.listNeeds, request)
                try options.show(response) {
                    NeedsCommand.printNeeds(response.needs)
                    if !response.nextAfter.isEmpty { print("more: --after \(response.nextAfter)") }
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one need and its history.")
        @OptionGroup var options: ClientOptions
        @Argument var id: String

        func run() async throws {
            try await reporting {
                var request = CommunityGetNeedRequest()
                request.id = id
                let need = try await options.call(CommunityMethods.getNeed, request)
                try options.show(need) { NeedsCommand.printNeed(need) }
            }
        }
    }

    struct Raise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Raise a need for a resident.")
        @OptionGroup var options: ClientOptions
        @Option var resident: String
        @Option(help: "meals, medicine, repair, dispute, employment, …") var category: String
        @Option(help: "low, normal, high or critical.") var urgency: String = "normal"
        @Option var summary: String
        @Option(help: "member:<id>, module:<id> or department:<name>.") var owner: String?

        func run() async throws {
            try await reporting {
                var request = CommunityRaiseNeedRequest()
                request.residentID = resident
                request.category = category
                request.urgency = try Parse.urgency(urgency)
                request.summary = summary
                request.owner = owner ?? ""
                let need = try await options.call(CommunityMethods.raiseNeed, request)
                try options.show(need) { NeedsCommand.printNeed(need) }
            }
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a need to an owner.")
        @OptionGroup var options: ClientOptions
        @Argument var id: String
        @Option(help: "member:<id>, module:<id> or department:<name>.") var to: String
        @Option var note: String = ""
        func run() async throws { try await update(options, id, .assign, owner: to, note: note) }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a need in progress.")
        @OptionGroup var options: ClientOptions
        @Argument var id: String
        @Option var note: String = ""
        func run() async throws { try await update(options, id, .start, note: note) }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a need resolved.")
        @OptionGroup var options: ClientOptions
        @Argument var id: String
        @Option var note: String = ""
        func run() async throws { try await update(options, id, .resolve, note: note) }
    }

    struct FollowUp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "follow-up", abstract: "Record the follow-up visit (回访) of a resolved need.")
        @OptionGroup var options: ClientOptions
        @Argument var id: String
        @Option(help: "1 (very dissatisfied) to 5 (very satisfied).") var satisfaction: UInt32
        @Option var note: String = ""
        func run() async throws { try await update(options, id, .followUp, note: note, satisfaction: satisfaction) }
    }

    struct Reopen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reopen a resolved need the follow-up found unresolved.")
        @OptionGroup var options: ClientOptions
        @Argument var id: String
        @Option(help: "Why (required).") var reason: String
        func run() async throws { try await update(options, id, .reopen, note: reason) }
    }

    struct Decline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decline a need.")
        @OptionGroup var options: ClientOptions
        @Argument var id: String
        @Option(help: "Why (required).") var reason: String
        func run() async throws { try await update(options, id, .decline, note: reason) }
    }
}

extension AsyncParsableCommand {
    func update(_ options: ClientOptions, _ id: String, _ step: CommunityUpdateNeedRequest.Step, owner: String = "", note: String, satisfaction: UInt32 = 0) async throws {
        try await reporting {
            var request = CommunityUpdateNeedRequest()
            request.id = id
            request.step = step
            request.owner = owner
            request.note = note
            request.satisfaction = satisfaction
            let need = try await options.call(CommunityMethods.updateNeed, request)
            try options.show(need) { NeedsCommand.printNeed(need) }
        }
    }
}
