/// The host's community services, shared by the host that serves them and the clients that call
/// them (the `knock` CLI, apps, modules). See Protocol/community_service.proto.
public enum CommunityMethods {
    /// Record a visit (随身记载); idempotent by the visit's client-chosen id.
    public static let recordVisit = RPCMethod<CommunityRecordVisitRequest, CommunityRecordVisitResponse>("knock.community.RecordVisit")
    /// The day's knock plan, per member.
    public static let getPlan = RPCMethod<CommunityGetPlanRequest, CommunityGetPlanResponse>("knock.community.GetPlan")
    /// The resident-needs list.
    public static let listNeeds = RPCMethod<CommunityListNeedsRequest, CommunityListNeedsResponse>("knock.community.ListNeeds")
    /// One need with its history.
    public static let getNeed = RPCMethod<CommunityGetNeedRequest, CommunityNeed>("knock.community.GetNeed")
    /// Raise a need (integrators: the 12345 hotline, a hospital's discharge feed).
    public static let raiseNeed = RPCMethod<CommunityRaiseNeedRequest, CommunityNeed>("knock.community.RaiseNeed")
    /// Assign, start, resolve, follow up, reopen or decline a need.
    public static let updateNeed = RPCMethod<CommunityUpdateNeedRequest, CommunityNeed>("knock.community.UpdateNeed")
    /// The key-persons list.
    public static let listKeyPersons = RPCMethod<CommunityListKeyPersonsRequest, CommunityListKeyPersonsResponse>("knock.community.ListKeyPersons")
    /// Alerts.
    public static let listAlerts = RPCMethod<CommunityListAlertsRequest, CommunityListAlertsResponse>("knock.community.ListAlerts")
    /// Acknowledge an alert.
    public static let acknowledgeAlert = RPCMethod<CommunityAcknowledgeAlertRequest, CommunityAlert>("knock.community.AcknowledgeAlert")
    /// Coverage per grid.
    public static let getCoverage = RPCMethod<CommunityGetCoverageRequest, CommunityGetCoverageResponse>("knock.community.GetCoverage")
    /// One resident.
    public static let getResident = RPCMethod<CommunityGetResidentRequest, CommunityResident>("knock.community.GetResident")
    /// The members of the grid groups in the caller's scope.
    public static let listMembers = RPCMethod<CommunityListMembersRequest, CommunityListMembersResponse>("knock.community.ListMembers")
    /// One member; `me`: the calling member.
    public static let getMember = RPCMethod<CommunityGetMemberRequest, CommunityMember>("knock.community.GetMember")
    /// Import a household roster (CSV): progress while rows are checked, then the summary.
    public static let importHouseholds = RPCMethod<CommunityImportHouseholdsRequest, CommunityImportHouseholdsEvent>(
        "knock.community.ImportHouseholds", kind: .serverStream
    )
    /// The street's units and the members of its grid groups, from CSV (administrators).
    public static let importOrganisation = RPCMethod<CommunityImportOrganisationRequest, CommunityImportOrganisationResponse>(
        "knock.community.ImportOrganisation"
    )
    /// The needs list as CSV.
    public static let exportNeeds = RPCMethod<CommunityExportRequest, CommunityExportResponse>("knock.community.ExportNeeds")
    /// The key-persons list as CSV.
    public static let exportKeyPersons = RPCMethod<CommunityExportRequest, CommunityExportResponse>("knock.community.ExportKeyPersons")
}

extension CommunityMethods {
    /// The permission a module's descriptor must ask for (`Descriptor.permissions`) to call a
    /// community method through the host: `visits.write`, `needs.read`, … A module without it
    /// gets PERMISSION_DENIED. `nil` for a name that is not a community method.
    /// - Parameter method: The full method name, `knock.community.ListNeeds`.
    public static func permission(for method: String) -> String? {
        switch method {
        case recordVisit.name: "visits.write"
        case getPlan.name: "plans.read"
        case listNeeds.name, getNeed.name: "needs.read"
        case exportNeeds.name, exportKeyPersons.name: "lists.export"
        case raiseNeed.name, updateNeed.name: "needs.write"
        case listKeyPersons.name: "keypersons.read"
        case listAlerts.name: "alerts.read"
        case acknowledgeAlert.name, raiseAlert.name: "alerts.write"
        case getCoverage.name: "coverage.read"
        case getResident.name: "residents.read"
        case listMembers.name, getMember.name: "members.read"
        case importHouseholds.name: "residents.write"
        case importOrganisation.name: "organisation.write"
        case listAudit.name: "audit.read"
        case tick.name: "schedule.run"
        case recordRead.name: "audit.write"
        default: nil
        }
    }
}

extension CommunityMethods {
    /// Who read which residents' personal data, newest first (administrators only).
    public static let listAudit = RPCMethod<CommunityListAuditRequest, CommunityListAuditResponse>("knock.community.ListAudit")
}

extension CommunityMethods {
    /// Raise an alert about a resident: a member who finds something urgent, an integrator (a
    /// resident's emergency call), a module's own method (a child not collected).
    public static let raiseAlert = RPCMethod<CommunityRaiseAlertRequest, CommunityAlert>("knock.community.RaiseAlert")
    /// Run the methods' scheduled checks now (the `tick` event), for one community or all, as
    /// of a given time (administrators).
    public static let tick = RPCMethod<CommunityTickRequest, CommunityTickResponse>("knock.community.Tick")
    /// A module records that it showed a caller residents' personal data it keeps itself, so
    /// the audit log holds that read too (modules only; permission `audit.write`).
    public static let recordRead = RPCMethod<CommunityRecordReadRequest, CommunityAuditEntry>("knock.community.RecordRead")
}
