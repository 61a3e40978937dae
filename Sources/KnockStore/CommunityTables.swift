/// The tables of the community core (migration `0002_community`).
///
/// Every row about a resident carries the resident's street, community and grid (copied from
/// the household when written), so that a scope is a condition on the row itself, served by an
/// index, never a join. Times are milliseconds since 1970 (`bigint`); days are `YYYY-MM-DD`
/// text, which sorts as the days do; lists are JSON text.
enum CommunityTables {
    static let units = "knock_units"
    static let members = "knock_members"
    static let memberGrids = "knock_member_grids"
    static let households = "knock_households"
    static let residents = "knock_residents"
    static let visits = "knock_visits"
    static let needs = "knock_needs"
    static let needEvents = "knock_need_events"
    static let keyPersons = "knock_key_persons"
    static let keyPersonReasons = "knock_key_person_reasons"
    static let alerts = "knock_alerts"
    static let scheduledKnocks = "knock_scheduled_knocks"
    static let planKnocks = "knock_plan_knocks"
    static let referrals = "knock_referrals"
    static let audit = "knock_audit"
    static let auditResidents = "knock_audit_residents"

    /// The columns placing a row in the organisation, narrowest last.
    static let placeColumns = ["street_id", "community_id", "grid_id"]
}
