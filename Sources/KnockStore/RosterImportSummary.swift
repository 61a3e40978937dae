/// What a roster import wrote: how many households and residents were new, and how many
/// replaced what was stored.
public struct RosterImportSummary: Sendable, Hashable {
    public var householdsInserted: Int
    public var householdsUpdated: Int
    public var residentsInserted: Int
    public var residentsUpdated: Int

    /// Creates a summary.
    /// - Parameters:
    ///   - householdsInserted: Households that were new.
    ///   - householdsUpdated: Households that replaced stored ones.
    ///   - residentsInserted: Residents that were new.
    ///   - residentsUpdated: Residents that replaced stored ones.
    public init(householdsInserted: Int, householdsUpdated: Int, residentsInserted: Int, residentsUpdated: Int) {
        self.householdsInserted = householdsInserted
        self.householdsUpdated = householdsUpdated
        self.residentsInserted = residentsInserted
        self.residentsUpdated = residentsUpdated
    }
}
