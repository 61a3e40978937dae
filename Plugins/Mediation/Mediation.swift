import Foundation
import KnockModuleKit
import SwiftProtobuf

/// 顺顺吧 Dispute mediation: dispute cases between neighbours, in families, with the property
/// management or otherwise — their parties, each party's statements (for mediators only),
/// mediation sessions, the agreement reached and its follow-up.
///
/// - **Assessing a visit**: words in the visit's observations and requests that suggest a
///   dispute (吵架, 纠纷, 矛盾, 争执, 堵, 漏水, 噪音, quarrel, dispute, blocked, leak, noise, and
///   any configured) record a proposed case (`visit-<visit id>`) and raise a `mediation` need
///   owned by this module, so the dispute is on the resident-needs list and its proposal can be
///   opened as a case.
/// - **Methods**: `mediation.ListProposals`, `OpenCase` (from a proposal or fresh),
///   `AddParty`, `RecordStatement`, `RecordSession`, `RecordAgreement`, `FollowUp` (holding
///   closes the case; broken reopens it), `GetCase` and `ListCases` (statements withheld, with a
///   note, from callers who do not mediate; each showing of them to a mediator is recorded in
///   the host's audit log as `mediation.statements.read`, and if it cannot be recorded they are
///   not shown). A step the case's status does not allow is
///   `FAILED_PRECONDITION`.
/// - **Mediators**: members with the staff role in the case's community, members listed in
///   `mediators`, administrators. Other members of the community read cases without the
///   statements, open cases and add parties.
/// - **The need**: a case opened from a proposal works the need the proposal raised — in
///   progress while mediated, resolved on agreement, followed up (with the satisfaction given)
///   when it holds, reopened when it breaks.
/// - **Days**: an agreement's follow-up day (`follow_up_on`, YYYY-MM-DD) is a day of the
///   deployment's calendar (``ModuleContext/calendar``, the host's `time_zone`).
///
/// Configuration: see ``MediationSettings`` (`mediators`, `words`).
public struct Mediation: KnockModule {
    /// Creates the module.
    public init() {}

    /// Disputes spotted in visit notes, not yet opened.
    public static let listProposals = RPCMethod<MediationListProposalsRequest, MediationListProposalsResponse>("mediation.ListProposals")
    /// Opens a case.
    public static let openCase = RPCMethod<MediationOpenCaseRequest, MediationCase>("mediation.OpenCase")
    /// Adds a party.
    public static let addParty = RPCMethod<MediationAddPartyRequest, MediationCase>("mediation.AddParty")
    /// Records a party's statement (mediators only).
    public static let recordStatement = RPCMethod<MediationRecordStatementRequest, MediationCase>("mediation.RecordStatement")
    /// Records a session (mediators only).
    public static let recordSession = RPCMethod<MediationRecordSessionRequest, MediationCase>("mediation.RecordSession")
    /// Records the agreement (mediators only).
    public static let recordAgreement = RPCMethod<MediationRecordAgreementRequest, MediationCase>("mediation.RecordAgreement")
    /// Follows up the agreement (mediators only).
    public static let followUp = RPCMethod<MediationFollowUpRequest, MediationCase>("mediation.FollowUp")
    /// One case.
    public static let getCase = RPCMethod<MediationGetCaseRequest, MediationCase>("mediation.GetCase")
    /// The cases of a community.
    public static let listCases = RPCMethod<MediationListCasesRequest, MediationListCasesResponse>("mediation.ListCases")

    /// Who the module is: 顺顺吧, assessing visits; it reads and moves its needs, and checks the
    /// residents a case names, through the host.
    public var descriptor: ModuleDescriptor {
        var descriptor = ModuleDescriptor()
        descriptor.id = "mediation"
        descriptor.nameZh = "顺顺吧"
        descriptor.nameEn = "Dispute mediation"
        descriptor.version = "1.0.0"
        descriptor.summary = "Dispute cases with parties, statements for mediators only, sessions, agreements and follow-up; disputes spotted in visit notes become proposed cases."
        descriptor.methods = [
            ModuleMethodInfo(Self.listProposals.descriptor), ModuleMethodInfo(Self.openCase.descriptor), ModuleMethodInfo(Self.addParty.descriptor),
            ModuleMethodInfo(Self.recordStatement.descriptor), ModuleMethodInfo(Self.recordSession.descriptor),
            ModuleMethodInfo(Self.recordAgreement.descriptor), ModuleMethodInfo(Self.followUp.descriptor),
            ModuleMethodInfo(Self.getCase.descriptor), ModuleMethodInfo(Self.listCases.descriptor),
        ]
        descriptor.permissions = ["needs.read", "needs.write", "residents.read", "audit.write"]
        descriptor.assessesVisits = true
        // Generated from Protocol/modules/mediation.proto with the methods above; a mismatch is
        // a build defect, which the descriptor test catches (the set would be empty).
        try? descriptor.embedSchemas(base64: MediationSchemas.base64)
        return descriptor
    }

    /// Spots a dispute in the visit's notes: records a proposal and raises a `mediation` need.
    /// - Throws: ``RPCError`` for a bad configuration or a store failure.
    public func assess(_ request: ModuleAssessRequest, context: ModuleContext) async throws -> [ModuleSuggestion] {
        let settings = try context.configuration(as: MediationSettings.self)
        guard let sighting = DisputeSpotter(words: settings.words).spot(request.visit) else { return [] }
        var proposal = MediationProposal()
        proposal.id = Self.proposalID(visit: request.visit.id)
        proposal.visitID = request.visit.id
        proposal.residentID = request.resident.id
        proposal.communityID = request.resident.communityID.isEmpty ? request.communityID : request.resident.communityID
        proposal.memberID = request.visit.memberID
        proposal.at = request.visit.hasAt ? request.visit.at : Google_Protobuf_Timestamp(date: context.clock.now())
        proposal.words = sighting.words
        proposal.excerpt = sighting.excerpt
        proposal.kind = sighting.kind
        guard try await CaseFile(store: context.store).propose(proposal) else { return [] }
        context.logger.info("dispute spotted in a visit", metadata: ["proposal": "\(proposal.id)", "words": "\(sighting.words.joined(separator: ","))"])
        return [.raisingNeed(
            residentID: request.resident.id, category: NeedLink.category,
            summary: "顺顺吧: possible \(Self.name(of: sighting.kind)) dispute (\(sighting.words.joined(separator: "、"))) — proposal \(proposal.id): \(sighting.excerpt)",
            ownerModule: "mediation", reason: "顺顺吧: dispute words in the visit's notes"
        )]
    }

    /// The id of the proposal a visit makes: `visit-<visit id>`, or for a visit id longer than
    /// 40 bytes `visit-<its 64-bit FNV-1a hash>`, within the store's key limit.
    static func proposalID(visit id: String) -> String {
        guard id.utf8.count > 40 else { return "visit-\(id)" }
        let hash = id.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
        return "visit-" + String(hash, radix: 16)
    }

    /// Checks this deployment's configuration at start (see ``MediationSettings``).
    public func validate(configuration: [String: String]) throws {
        _ = try MediationSettings(configuration)
    }

    /// Registers `mediation.*`.
    public func registerMethods(with router: inout RPCRouter, context: ModuleContext) {
        let desk = MediationDesk(context: context)
        router.register(Self.listProposals) { request, server in try await desk.listProposals(request, caller: try server.requireCaller()) }
        router.register(Self.openCase) { request, server in try await desk.openCase(request, caller: try server.requireCaller()) }
        router.register(Self.addParty) { request, server in try await desk.addParty(request, caller: try server.requireCaller()) }
        router.register(Self.recordStatement) { request, server in try await desk.recordStatement(request, caller: try server.requireCaller()) }
        router.register(Self.recordSession) { request, server in try await desk.recordSession(request, caller: try server.requireCaller()) }
        router.register(Self.recordAgreement) { request, server in try await desk.recordAgreement(request, caller: try server.requireCaller()) }
        router.register(Self.followUp) { request, server in try await desk.followUp(request, caller: try server.requireCaller()) }
        router.register(Self.getCase) { request, server in try await desk.getCase(request, caller: try server.requireCaller()) }
        router.register(Self.listCases) { request, server in try await desk.listCases(request, caller: try server.requireCaller()) }
    }

    /// The kind's name in a need's summary.
    static func name(of kind: MediationDisputeKind) -> String {
        switch kind {
        case .neighbour: "neighbour (邻里)"
        case .family: "family (家庭)"
        case .property: "property (物业)"
        default: "other"
        }
    }
}
