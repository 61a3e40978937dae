import Foundation
import KnockModuleKit
import Synchronization

/// The host as a module's handlers see it, in memory: answers `GetResident` from a list and
/// keeps the alerts raised and acknowledged.
final class TestHost: HostCalling {
    let residents: [String: CommunityResident]
    private let raised = Mutex<[CommunityRaiseAlertRequest]>([])
    private let acknowledgedAlerts = Mutex<[CommunityAcknowledgeAlertRequest]>([])

    init(_ residents: [CommunityResident]) {
        self.residents = Dictionary(uniqueKeysWithValues: residents.map { ($0.id, $0) })
    }

    /// The alerts raised so far, oldest first.
    var alerts: [CommunityRaiseAlertRequest] { raised.withLock { $0 } }

    /// The alerts acknowledged so far, oldest first.
    var acknowledged: [CommunityAcknowledgeAlertRequest] { acknowledgedAlerts.withLock { $0 } }

    func call<Request, Response>(_ method: RPCMethod<Request, Response>, _ request: Request, options: CallOptions) async throws -> Response {
        func answer(_ value: Any) throws -> Response {
            guard let response = value as? Response else { throw RPCError(code: .internal, message: "\(method.name) answers another type") }
            return response
        }
        switch (request, method.name) {
        case (let lookup as CommunityGetResidentRequest, CommunityMethods.getResident.name):
            guard let resident = residents[lookup.id] else { throw RPCError(code: .notFound, message: "no resident \(lookup.id)") }
            return try answer(resident)
        case (let alert as CommunityRaiseAlertRequest, CommunityMethods.raiseAlert.name):
            raised.withLock { $0.append(alert) }
            var stored = CommunityAlert()
            stored.id = alert.id
            stored.residentID = alert.residentID
            stored.message = alert.message
            stored.urgency = alert.urgency
            return try answer(stored)
        case (let acknowledgement as CommunityAcknowledgeAlertRequest, CommunityMethods.acknowledgeAlert.name):
            acknowledgedAlerts.withLock { $0.append(acknowledgement) }
            var stored = CommunityAlert()
            stored.id = acknowledgement.id
            stored.acknowledgement = acknowledgement.note
            return try answer(stored)
        default:
            throw RPCError(code: .unimplemented, message: "the test host does not serve \(method.name)")
        }
    }
}
