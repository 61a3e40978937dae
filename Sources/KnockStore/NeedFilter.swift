import Foundation
import KnockDomain

/// Which needs ``KnockDatabase/needs(caller:filter:limit:after:)`` returns: those matching every
/// condition given.
public struct NeedFilter: Sendable, Hashable {
    /// Only needs in one of these statuses; empty for any.
    public var statuses: Set<NeedStatus>
    /// Only needs of this category.
    public var category: String?
    /// Only needs with this owner.
    public var owner: NeedOwner?
    /// Only needs overdue at this time: active and due before it.
    public var overdueAt: Date?
    /// Only needs of this resident.
    public var residentID: String?

    /// Creates a filter; with no arguments, every need.
    /// - Parameters:
    ///   - statuses: Only these statuses; empty for any.
    ///   - category: Only this category.
    ///   - owner: Only this owner.
    ///   - overdueAt: Only needs overdue at this time.
    ///   - residentID: Only this resident's needs.
    public init(statuses: Set<NeedStatus> = [], category: String? = nil, owner: NeedOwner? = nil, overdueAt: Date? = nil, residentID: String? = nil) {
        self.statuses = statuses
        self.category = category
        self.owner = owner
        self.overdueAt = overdueAt
        self.residentID = residentID
    }

    /// The active needs (open, assigned, in progress).
    public static let active = NeedFilter(statuses: Set(NeedStatus.allCases.filter(\.isActive)))

    /// The needs overdue at `time`.
    public static func overdue(at time: Date) -> NeedFilter {
        NeedFilter(overdueAt: time)
    }
}
