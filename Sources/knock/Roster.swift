import ArgumentParser
import Foundation
import KnockMessages
import KnockModuleKit
import KnockRPC

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import records.", subcommands: [Households.self, Organisation.self])

    struct Organisation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the street's units (communities, grids) and the members of its grid groups (UTF-8 CSV; see docs/roster.md). Administrators. All or nothing: any bad row is reported with its file and line and nothing is written."
        )
        @OptionGroup var options: ClientOptions
        @Option(help: "The units file: level, id, name, parent_id.") var units: String?
        @Option(help: "The members file: member_id, name, roles, community_id, grid_ids, phone.") var members: String?
        @Flag(help: "Check every row and report, without writing.") var dryRun = false

        func run() async throws {
            try await reporting {
                guard units != nil || members != nil else { throw CLIError("give --units, --members or both") }
                var request = CommunityImportOrganisationRequest()
                for (path, keyPath) in [(units, \CommunityImportOrganisationRequest.unitsCsv), (members, \CommunityImportOrganisationRequest.membersCsv)] {
                    guard let path else { continue }
                    guard let csv = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
                    request[keyPath: keyPath] = csv
                }
                request.dryRun = dryRun
                let answer = try await options.call(CommunityMethods.importOrganisation, request, timeout: .seconds(120))
                try options.show(answer) {
                    print(answer.dryRun
                        ? "every row is good: \(answer.units) units, \(answer.members) members; nothing written (dry run)"
                        : "imported: \(answer.units) units, \(answer.members) members")
                }
            }
        }
    }

    struct Households: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a household roster (UTF-8 CSV, one row per resident). All or nothing: any bad row is reported with its line number and nothing is written."
        )
        @OptionGroup var options: ClientOptions
        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Check every row and report, without writing.") var dryRun = false

        func run() async throws {
            try await reporting {
                guard let csv = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
                var request = CommunityImportHouseholdsRequest()
                request.csv = csv
                request.dryRun = dryRun
                let connection = try await options.connect()
                defer { connection.close() }
                let progress = ProgressBar(label: "checking rows")
                let summary = try await connection.stream(CommunityMethods.importHouseholds, request, options: CallOptions(timeout: .seconds(600))) { events in
                    var summary: CommunityImportSummary?
                    for try await event in events {
                        switch event.kind {
                        case .progress(let step):
                            progress.update(done: Int(step.rowsDone), total: Int(step.rowsTotal))
                        case .summary(let last):
                            summary = last
                        case nil:
                            break
                        }
                    }
                    return summary
                }
                progress.finish()
                guard let summary else { throw CLIError("the host ended the import without a summary") }
                try options.show(summary) {
                    if summary.dryRun {
                        print("every row is good: \(summary.householdsInserted) households, \(summary.residentsInserted) residents; nothing written (dry run)")
                    } else {
                        print("imported: \(summary.householdsInserted) new and \(summary.householdsUpdated) updated households, \(summary.residentsInserted) new and \(summary.residentsUpdated) updated residents")
                    }
                }
            }
        }
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export lists as CSV.", subcommands: [Needs.self, KeyPersons.self])

    struct Needs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The needs list as CSV.")
        @OptionGroup var options: ClientOptions
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @Flag(help: "Start with a UTF-8 byte-order mark (for spreadsheet programs).") var bom = false
        func run() async throws { try await export(options, CommunityMethods.exportNeeds, out: out, bom: bom) }
    }

    struct KeyPersons: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "keypersons", abstract: "The key-persons list as CSV.")
        @OptionGroup var options: ClientOptions
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @Flag(help: "Start with a UTF-8 byte-order mark (for spreadsheet programs).") var bom = false
        func run() async throws { try await export(options, CommunityMethods.exportKeyPersons, out: out, bom: bom) }
    }
}

extension AsyncParsableCommand {
    func export(_ options: ClientOptions, _ method: RPCMethod<CommunityExportRequest, CommunityExportResponse>, out: String?, bom: Bool) async throws {
        try await reporting {
            var request = CommunityExportRequest()
            request.byteOrderMark = bom
            // In parts, however long the list: each answer stays well inside a frame.
            request.limit = 5_000
            guard let out else {
                repeat {
                    let part = try await options.call(method, request, timeout: .seconds(120))
                    FileHandle.standardOutput.write(part.csv)
                    request.after = part.nextAfter
                } while !request.after.isEmpty
                return
            }
            // Into a file beside the target, moved into place once every part is in: a failed
            // export leaves no half-written file and keeps what was there.
            let partial = out + ".part"
            guard FileManager.default.createFile(atPath: partial, contents: nil), let file = FileHandle(forWritingAtPath: partial) else {
                throw CLIError("cannot write \(partial)")
            }
            var rows = 0
            do {
                repeat {
                    let part = try await options.call(method, request, timeout: .seconds(120))
                    try file.write(contentsOf: part.csv)
                    rows += Int(part.rows)
                    request.after = part.nextAfter
                } while !request.after.isEmpty
                try file.close()
                guard rename(partial, out) == 0 else { throw CLIError("cannot move \(partial) to \(out): errno \(errno)") }
            } catch {
                try? file.close()
                try? FileManager.default.removeItem(atPath: partial)
                throw error
            }
            FileHandle.standardError.write(Data("wrote \(rows) rows to \(out)\n".utf8))
        }
    }
}

/// A one-line progress bar on standard error, redrawn in place when it is a terminal.
final class ProgressBar {
    let label: String
    let terminal = isatty(STDERR_FILENO) == 1
    private var lastPercent = -1

    init(label: String) {
        self.label = label
    }

    func update(done: Int, total: Int) {
        guard total > 0 else { return }
        let percent = done * 100 / total
        guard percent != lastPercent else { return }
        lastPercent = percent
        let filled = percent * 30 / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 30 - filled)
        let line = "\(label) [\(bar)] \(percent)% (\(done)/\(total))"
        FileHandle.standardError.write(Data((terminal ? "\r" + line : line + "\n").utf8))
    }

    func finish() {
        if terminal, lastPercent >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
