import KnockModuleKit

/// The no-answer ladder of 随时敲: the steps a case climbs, in order, and how long each may go
/// unacknowledged before it escalates. Configured as `ladder=knock-again:30,phone:15,…,entry`
/// (minutes); the last step is always `entry` (authorised entry), which has no time limit: it
/// ends only with `urgent-knock.RecordEntry`.
struct Ladder: Sendable, Equatable {
    /// One step of the ladder.
    struct Rung: Sendable, Equatable {
        /// Which step.
        var kind: UrgentKnockStepKind
        /// Minutes until it escalates if not acknowledged; `nil` for the entry step.
        var minutes: Int?
    }

    /// The steps, in order.
    let rungs: [Rung]

    /// The default: knock again within 30 minutes, then phone, the emergency contact and the
    /// secretary within 15 minutes each, then authorised entry.
    static let standardText = "knock-again:30,phone:15,emergency-contact:15,secretary:15,entry"

    /// The longest a step may wait: a day.
    static let maximumMinutes = 1_440

    /// Parses a ladder.
    /// - Parameter text: `step:minutes` pairs separated by commas, ending with `entry`.
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` naming the `ladder` key and what is wrong:
    ///   an unknown or repeated step, minutes that are not a whole number from 1 to 1440, a
    ///   step without minutes, minutes on `entry`, or a ladder that does not end with `entry`.
    init(parsing text: String) throws {
        func bad(_ detail: String) -> RPCError {
            RPCError(code: .failedPrecondition, message: "urgent-knock configuration: ladder=\(text): \(detail)")
        }
        var rungs: [Rung] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let fields = part.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count <= 2, let name = fields.first, !name.isEmpty else {
                throw bad("'\(part)' is not step or step:minutes")
            }
            guard let kind = UrgentKnockStepKind(configurationName: name) else {
                throw bad("unknown step '\(name)' (steps: \(UrgentKnockStepKind.ladderSteps.map(\.configurationName).joined(separator: ", ")))")
            }
            guard !rungs.contains(where: { $0.kind == kind }) else { throw bad("step '\(name)' appears twice") }
            var minutes: Int?
            if fields.count == 2 {
                guard kind != .entry else { throw bad("entry is the last step and takes no minutes") }
                guard let value = Int(fields[1]), (1...Self.maximumMinutes).contains(value) else {
                    throw bad("the minutes of '\(name)' must be a whole number from 1 to \(Self.maximumMinutes), not '\(fields[1])'")
                }
                minutes = value
            } else if kind != .entry {
                throw bad("step '\(name)' needs its minutes to acknowledge ('\(name):15')")
            }
            rungs.append(Rung(kind: kind, minutes: minutes))
        }
        guard rungs.last?.kind == .entry else { throw bad("the last step must be entry (authorised entry)") }
        self.rungs = rungs
    }

    /// The rung of `kind`, if it is on the ladder.
    func rung(_ kind: UrgentKnockStepKind) -> Rung? {
        rungs.first { $0.kind == kind }
    }

    /// The rung after `kind`; `nil` after the last, or for a step not on the ladder.
    func rung(after kind: UrgentKnockStepKind) -> Rung? {
        guard let index = rungs.firstIndex(where: { $0.kind == kind }), index + 1 < rungs.count else { return nil }
        return rungs[index + 1]
    }

    /// The first rung.
    var first: Rung { rungs[0] }
}
