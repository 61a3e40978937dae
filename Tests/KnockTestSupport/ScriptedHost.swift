import Foundation
public import KnockModuleKit
import Synchronization

/// A host for unit tests of a module's methods (`ModuleContext.host`): answers
/// `knock.community.GetResident` from a list of residents, keeps the visits recorded and alerts
/// raised through it (answering as the host would: a repeated visit id is a duplicate), and
/// answers any other method with a handler the test gives.
public final class ScriptedHost: HostCalling {
    private struct State {
        var visits: [CommunityVisit] = []
        var alerts: [CommunityRaiseAlertRequest] = []
        var calls: [String] = []
    }

    private let residents: [String: CommunityResident]
    private let others: [String: @Sendable (Any) throws -> Any]
    private let state = Mutex(State())

    /// A host knowing `residents`.
    /// - Parameters:
    ///   - residents: The residents GetResident finds.
    ///   - others: Answers to other methods by name; the handler gets the request and returns
    ///     the response (or throws an ``RPCError``).
    public init(residents: [CommunityResident], others: [String: @Sendable (Any) throws -> Any] = [:]) {
        self.residents = Dictionary(residents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.others = others
    }

    /// The visits recorded, in order.
    public var visits: [CommunityVisit] { state.withLock { $0.visits } }
    /// The alerts raised, in order.
    public var alerts: [CommunityRaiseAlertRequest] { state.withLock { $0.alerts } }
    /// The methods called, in order.
    public var calls: [String] { state.withLock { $0.calls } }

    public func call<Request, Response>(_ method: RPCMethod<Request, Response>, _ request: Request, options: CallOptions) async throws -> Response {
        state.withLock { $0.calls.append(method.name) }
        let answer: Any
        switch method.name {
        case CommunityMethods.getResident.name:
            let id = (request as! CommunityGetResidentRequest).id
            guard let resident = residents[id] else { throw RPCError(code: .notFound, message: "no resident \(id)") }
            answer = resident
        case CommunityMethods.recordVisit.name:
            var visit = (request as! CommunityRecordVisitRequest).visit
            guard let resident = residents[visit.residentID] else { throw RPCError(code: .notFound, message: "no resident \(visit.residentID)") }
            visit.householdID = resident.householdID
            visit.gridID = resident.gridID
            var response = CommunityRecordVisitResponse()
            response.visit = visit
            response.duplicate = state.withLock { state in
                if state.visits.contains(where: { $0.id == visit.id }) { return true }
                state.visits.append(visit)
                return false
            }
            answer = response
        case CommunityMethods.raiseAlert.name:
            let alert = request as! CommunityRaiseAlertRequest
            state.withLock { $0.alerts.append(alert) }
            var response = CommunityAlert()
            response.id = alert.id
            response.residentID = alert.residentID
            response.urgency = alert.urgency
            response.message = alert.message
            answer = response
        default:
            guard let handler = others[method.name] else { throw RPCError(code: .unimplemented, message: "no answer for \(method.name)") }
            answer = try handler(request)
        }
        return answer as! Response
    }
}
