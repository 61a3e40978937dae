import ArgumentParser
import Foundation
import KnockMessages
import KnockModuleKit

struct KeyPersonsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keypersons", abstract: "The key-persons list (重点人员清单).")
    @OptionGroup var options: ClientOptions
    @Flag(help: "Only those due for a knock on the day.") var due = false
    @Option(help: "The day (YYYY-MM-DD); default today.") var date: String?
    @Option(help: "At most this many (up to 1000).") var limit: UInt32 = 1_000
    @Option(help: "Continue after this resident id (from the previous page).") var after: String?

    func run() async throws {
        try await reporting {
            var request = CommunityListKeyPersonsRequest()
            request.date = date ?? ""
            request.dueOnly = due
            request.limit = limit
            request.after = after ?? ""
            let response = try await options.call(CommunityMethods.listKeyPersons, request)
            try options.show(response) {
                let rows = response.keyPersons.map { entry in
                    [entry.residentID, entry.residentName, entry.gridID,
                     entry.reasons.map { "\($0.reason) [\($0.flaggedBy)]" }.joined(separator: "; "),
                     "\(entry.cadenceDays)", entry.assignedMemberID, Text.time(entry.lastKnockAt), entry.due ? "due" : ""]
                }
                print(Table.render(header: ["RESIDENT", "NAME", "GRID", "REASONS", "EVERY (DAYS)", "MEMBER", "LAST KNOCK", "TODAY"], rows: rows))
                if rows.isEmpty { print("(nobody)") }
                if !response.nextAfter.isEmpty { print("more: --after \(response.nextAfter)") }
            }
        }
    }
}

struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members", abstract: "The members of the grid groups you may see; with an id (or me), one member."
    )
    @OptionGroup var options: ClientOptions
    @Argument(help: "A member id, or me.") var id: String?
    @Option(help: "Only the members of this community.") var community: String?
    @Option(help: "Only the members assigned to this grid.") var grid: String?

    func run() async throws {
        try await reporting {
            func table(_ members: [CommunityMember]) {
                let rows = members.map { [$0.id, $0.name, $0.roles.joined(separator: ", "), $0.communityID, $0.gridIds.joined(separator: ", "), $0.phone] }
                print(Table.render(header: ["MEMBER", "NAME", "ROLES", "COMMUNITY", "GRIDS", "PHONE"], rows: rows))
                if rows.isEmpty { print("(nobody)") }
            }
            if let id {
                var request = CommunityGetMemberRequest()
                request.id = id
                let member = try await options.call(CommunityMethods.getMember, request)
                try options.show(member) { table([member]) }
            } else {
                var request = CommunityListMembersRequest()
                request.communityID = community ?? ""
                request.gridID = grid ?? ""
                let response = try await options.call(CommunityMethods.listMembers, request)
                try options.show(response) { table(response.members) }
            }
        }
    }
}

struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "Alerts: list them, raise one, acknowledge one.",
        subcommands: [List.self, Raise.self, Acknowledge.self], defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List open alerts (--all: acknowledged ones too).")
        @OptionGroup var options: ClientOptions
        @Flag(help: "Acknowledged alerts too.") var all = false
        @Option(help: "Only the alerts about this resident.") var resident: String?
        @Option var limit: UInt32 = 100

        func run() async throws {
            try await reporting {
                var request = CommunityListAlertsRequest()
                request.openOnly = !all
                request.limit = limit
                request.residentID = resident ?? ""
                let response = try await options.call(CommunityMethods.listAlerts, request)
                try options.show(response) {
                    let rows = response.alerts.map { alert in
                        [alert.id, alert.residentID, alert.gridID, Text.urgency(alert.urgency), Text.time(alert.raisedAt), alert.raisedBy,
                         alert.acknowledgedBy.isEmpty ? "open" : "ack \(alert.acknowledgedBy)", alert.message]
                    }
                    print(Table.render(header: ["ID", "RESIDENT", "GRID", "URGENCY", "RAISED", "BY", "STATE", "MESSAGE"], rows: rows))
                    if rows.isEmpty { print("(no alerts)") }
                }
            }
        }
    }

    struct Raise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Raise an alert about a resident: something someone must act on now.")
        @OptionGroup var options: ClientOptions
        @Option(help: "The resident.") var resident: String
        @Option(help: "What is wrong.") var message: String
        @Option(help: "low, normal, high or critical.") var urgency = "high"
        @Option(help: "An id of your choosing, so a retry raises nothing twice.") var id: String?

        func run() async throws {
            try await reporting {
                var request = CommunityRaiseAlertRequest()
                request.id = id ?? ""
                request.residentID = resident
                request.message = message
                request.urgency = try Parse.urgency(urgency)
                let alert = try await options.call(CommunityMethods.raiseAlert, request)
                try options.show(alert) { print("raised alert \(alert.id) about \(alert.residentID) (\(Text.urgency(alert.urgency)))") }
            }
        }
    }

    struct Acknowledge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ack", abstract: "Acknowledge an alert, saying what was done.")
        @OptionGroup var options: ClientOptions
        @Argument var id: String
        @Option(help: "What was done.") var note: String = ""

        func run() async throws {
            try await reporting {
                var request = CommunityAcknowledgeAlertRequest()
                request.id = id
                request.note = note
                let alert = try await options.call(CommunityMethods.acknowledgeAlert, request)
                try options.show(alert) { print("acknowledged \(alert.id) by \(alert.acknowledgedBy) at \(Text.time(alert.acknowledgedAt))") }
            }
        }
    }
}

struct CoverageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "coverage", abstract: "Coverage per grid: households, planned vs done knocks, needs.")
    @OptionGroup var options: ClientOptions
    @Option(help: "First day (YYYY-MM-DD); default 6 days before --to.") var from: String?
    @Option(help: "Last day (YYYY-MM-DD); default today.") var to: String?

    func run() async throws {
        try await reporting {
            var request = CommunityGetCoverageRequest()
            request.from = from ?? ""
            request.to = to ?? ""
            let response = try await options.call(CommunityMethods.getCoverage, request)
            try options.show(response) {
                let rows = response.grids.map { grid in
                    [grid.gridID, grid.gridName, "\(grid.households)", "\(grid.householdsVisited)", "\(grid.plannedKnocks)",
                     "\(grid.doneDoor)/\(grid.doneOnline)/\(grid.donePhone)", "\(grid.needsOpened)", "\(grid.needsResolved)", "\(grid.needsOverdue)",
                     grid.meanHoursToResolve < 0 ? "-" : String(format: "%.1f", grid.meanHoursToResolve),
                     grid.meanSatisfaction == 0 ? "-" : String(format: "%.1f", grid.meanSatisfaction)]
                }
                print(Table.render(header: ["GRID", "NAME", "HOUSEHOLDS", "VISITED", "PLANNED", "DONE door/online/phone", "NEEDS OPENED", "RESOLVED", "OVERDUE", "HOURS TO RESOLVE", "SATISFACTION"], rows: rows))
            }
        }
    }
}

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "The day's knock plan.", subcommands: [Today.self], defaultSubcommand: Today.self
    )

    struct Today: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The plan for today (or --date), per member, merged from every method.")
        @OptionGroup var options: ClientOptions
        @Option(help: "The day (YYYY-MM-DD); default today.") var date: String?
        @Option(help: "Only this member's plan (\"me\" for yours).") var member: String?

        func run() async throws {
            try await reporting {
                var request = CommunityGetPlanRequest()
                request.date = date ?? ""
                request.memberID = member ?? ""
                let response = try await options.call(CommunityMethods.getPlan, request, timeout: .seconds(120))
                try options.show(response) {
                    print("plan for \(response.date)")
                    for plan in response.plans where !plan.knocks.isEmpty {
                        print("\n\(plan.memberName) (\(plan.memberID)): \(plan.knocks.count) knocks")
                        print(PlanCommand.table(plan.knocks))
                    }
                    if !response.unassigned.isEmpty {
                        print("\nunassigned (grids without a member): \(response.unassigned.count)")
                        print(PlanCommand.table(response.unassigned))
                    }
                    for problem in response.problems { print("! \(problem.module): \(problem.detail)") }
                }
            }
        }
    }

    static func table(_ knocks: [CommunityPlanItem]) -> String {
        Table.render(header: ["PRIORITY", "CHANNEL", "RESIDENT", "NAME", "ADDRESS", "WHY"], rows: knocks.map { knock in
            ["\(knock.priority)", Text.name(knock.channel), knock.residentID, knock.residentName, knock.address,
             knock.reasons.map { "\($0.why) [\($0.suggestedBy)]" }.joined(separator: "；")]
        })
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Who read which residents' personal data, newest first (administrators).")
    @OptionGroup var options: ClientOptions
    @Option(help: "Only reads of this resident's data.") var resident: String?
    @Option(help: "At most this many (≤ 1000).") var limit: UInt32 = 100

    func run() async throws {
        try await reporting {
            var request = CommunityListAuditRequest()
            request.residentID = resident ?? ""
            request.limit = limit
            let response = try await options.call(CommunityMethods.listAudit, request)
            try options.show(response) {
                let rows = response.entries.map { entry in
                    [Text.time(entry.at), entry.by, entry.action, entry.via, entry.residentIds.prefix(5).joined(separator: ",") + (entry.residentIds.count > 5 ? " (+\(entry.residentIds.count - 5))" : "")]
                }
                print(Table.render(header: ["WHEN", "WHO", "WHAT", "VIA", "RESIDENTS"], rows: rows))
                if rows.isEmpty { print("(no reads recorded)") }
            }
        }
    }
}

struct TickCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tick",
        abstract: "Run the methods' scheduled checks now (administrators); the host also runs them every minute."
    )
    @OptionGroup var options: ClientOptions
    @Option(help: "Only this community.") var community: String?
    @Option(help: "Judge as of this time (ISO 8601). Default: now.") var at: String?

    func run() async throws {
        try await reporting {
            var request = CommunityTickRequest()
            request.communityID = community ?? ""
            if let at { request.at = .init(date: try Parse.time(at)) }
            let response = try await options.call(CommunityMethods.tick, request)
            try options.show(response) {
                print(response.raised.isEmpty ? "nothing raised" : "raised:")
                Suggestions.report(response.raised, problems: response.problems)
            }
        }
    }
}
