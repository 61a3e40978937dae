import Foundation

/// The rules of a need's lifecycle: which steps are allowed from which status, and what each
/// step changes. Pure: it returns the changed need and never touches storage.
///
/// ```
/// open ──assign──▶ assigned ──start──▶ in progress ──resolve──▶ resolved ──follow up──▶ followed up
///   │                 │  ▲ reassign         │                      │
///   └──decline──▶ declined ◀──decline───────┘                      └──reopen (unresolved at follow-up)──▶ open
/// ```
/// A need can be resolved straight from `assigned` (a small matter done on the spot). Declining
/// and reopening need a reason. `followed up` and `declined` are final.
public struct NeedLifecycle: Sendable {
    /// A step someone takes on a need.
    public enum Step: Sendable, Hashable {
        /// Give the need to an owner (also a reassignment while assigned or in progress).
        case assign(NeedOwner)
        /// The owner starts work.
        case start
        /// The work is done.
        case resolve
        /// The follow-up visit (回访) found it resolved; satisfaction 1–5.
        case followUp(satisfaction: Int)
        /// The follow-up found it unresolved: back to open, with its owner cleared.
        case reopen
        /// Not taken on.
        case decline

        /// The status the step leads to.
        public var target: NeedStatus {
            switch self {
            case .assign: .assigned
            case .start: .inProgress
            case .resolve: .resolved
            case .followUp: .followedUp
            case .reopen: .open
            case .decline: .declined
            }
        }

        /// How the step is named in errors and the CLI.
        public var name: String {
            switch self {
            case .assign: "assign"
            case .start: "start"
            case .resolve: "resolve"
            case .followUp: "follow up"
            case .reopen: "reopen"
            case .decline: "decline"
            }
        }
    }

    /// The due-time policy applied when a need is raised or reopened.
    public var duePolicy: DuePolicy

    /// Creates the rules with a due-time policy.
    public init(duePolicy: DuePolicy = DuePolicy()) {
        self.duePolicy = duePolicy
    }

    /// Whether `step` is allowed from `status`.
    public func allows(_ step: Step, from status: NeedStatus) -> Bool {
        switch (step, status) {
        case (.assign, .open), (.assign, .assigned), (.assign, .inProgress): true
        case (.start, .assigned): true
        case (.resolve, .assigned), (.resolve, .inProgress): true
        case (.followUp, .resolved), (.reopen, .resolved): true
        case (.decline, .open), (.decline, .assigned), (.decline, .inProgress): true
        default: false
        }
    }

    /// Applies `step` to `need`: its status, owner, times and history change together.
    /// - Parameters:
    ///   - step: What is done.
    ///   - need: The need as stored.
    ///   - by: Who does it.
    ///   - note: The reason or remark; required for `decline` and `reopen`.
    ///   - at: When.
    /// - Returns: The need after the step, with one more history entry.
    /// - Throws: ``DomainError`` `invalidTransition` if the step is not allowed from the need's
    ///   status; `invalidArgument` for a missing reason or a satisfaction outside 1–5.
    public func apply(_ step: Step, to need: Need, by: Provenance, note: String = "", at: Date) throws -> Need {
        guard allows(step, from: need.status) else {
            throw DomainError(
                .invalidTransition,
                "need \(need.id) is \(need.status.rawValue); it cannot \(step.name) (allowed: \(allowedSteps(from: need.status)))"
            )
        }
        let trimmed = note.trimmed
        var changed = need
        switch step {
        case .assign(let owner):
            changed.owner = owner
        case .start:
            break
        case .resolve:
            changed.resolvedAt = at
        case .followUp(let satisfaction):
            guard (1...5).contains(satisfaction) else {
                throw DomainError(.invalidArgument, "satisfaction must be 1 to 5, not \(satisfaction)")
            }
            changed.satisfaction = satisfaction
        case .reopen:
            guard !trimmed.isEmpty else {
                throw DomainError(.invalidArgument, "reopening need \(need.id) needs a reason")
            }
            changed.owner = nil
            changed.resolvedAt = nil
            changed.dueAt = duePolicy.dueTime(for: need.urgency, raisedAt: at)
        case .decline:
            guard !trimmed.isEmpty else {
                throw DomainError(.invalidArgument, "declining need \(need.id) needs a reason")
            }
        }
        changed.status = step.target
        changed.history.append(NeedEvent(at: at, by: by, from: need.status, to: step.target, owner: changed.owner, note: trimmed))
        return changed
    }

    /// A need as first raised: open, due by its urgency, with its raising as the first history
    /// entry. An owner given here makes it `assigned` at once.
    /// - Throws: ``DomainError`` `invalidArgument` for an empty category or summary.
    public func raise(
        id: String, resident: Resident, category: String, urgency: Urgency, summary: String,
        owner: NeedOwner?, by: Provenance, visitID: String?, at: Date
    ) throws -> Need {
        let category = category.trimmed
        let summary = summary.trimmed
        guard !category.isEmpty else { throw DomainError(.invalidArgument, "a need needs a category") }
        guard !summary.isEmpty else { throw DomainError(.invalidArgument, "a need needs a summary") }
        let status: NeedStatus = owner == nil ? .open : .assigned
        return Need(
            id: id, residentID: resident.id, householdID: resident.householdID, gridID: resident.gridID,
            communityID: resident.communityID, streetID: resident.streetID, category: category, urgency: urgency,
            summary: summary, status: status, owner: owner, raisedBy: by, visitID: visitID, raisedAt: at,
            dueAt: duePolicy.dueTime(for: urgency, raisedAt: at),
            history: [NeedEvent(at: at, by: by, from: nil, to: status, owner: owner, note: summary)]
        )
    }

    /// Whether `need` is still to be done and past its due time at `now`.
    public func isOverdue(_ need: Need, at now: Date) -> Bool {
        need.status.isActive && need.dueAt < now
    }

    private func allowedSteps(from status: NeedStatus) -> String {
        let candidates: [Step] = [.assign(.member("")), .start, .resolve, .followUp(satisfaction: 5), .reopen, .decline]
        let names = candidates.filter { allows($0, from: status) }.map(\.name)
        return names.isEmpty ? "none, it is final" : names.joined(separator: ", ")
    }
}
