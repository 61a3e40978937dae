import Foundation
import KnockModuleKit
import Synchronization

/// The host as 每天敲 sees it, in memory: residents to read and a key-persons list to list
/// (every entry counted due unless marked otherwise), and the requests it was sent.
final class TestHost: HostCalling {
    let residents: [String: CommunityResident]
    let keyPersons: [CommunityKeyPerson]
    private let asked = Mutex<[String]>([])

    init(residents: [CommunityResident], keyPersons: [CommunityKeyPerson]) {
        self.residents = Dictionary(uniqueKeysWithValues: residents.map { ($0.id, $0) })
        self.keyPersons = keyPersons
    }

    /// The methods called, in order.
    var calls: [String] { asked.withLock { $0 } }

    func call<Request, Response>(_ method: RPCMethod<Request, Response>, _ request: Request, options: CallOptions) async throws -> Response {
        asked.withLock { $0.append(method.name) }
        func answer(_ value: Any) throws -> Response {
            guard let response = value as? Response else { throw RPCError(code: .internal, message: "\(method.name) answers another type") }
            return response
        }
        switch request {
        case let lookup as CommunityGetResidentRequest:
            guard let resident = residents[lookup.id] else { throw RPCError(code: .notFound, message: "no resident \(lookup.id)") }
            return try answer(resident)
        case let list as CommunityListKeyPersonsRequest:
            // In pages of `list.limit`, as the host answers.
            let listed = keyPersons
                .filter { (!list.dueOnly || $0.due) && (list.communityID.isEmpty || $0.communityID == list.communityID) }
                .filter { list.after.isEmpty || $0.residentID > list.after }
                .sorted { $0.residentID < $1.residentID }
            var response = CommunityListKeyPersonsResponse()
            response.keyPersons = Array(listed.prefix(Int(list.limit)))
            if listed.count > Int(list.limit) { response.nextAfter = response.keyPersons.last?.residentID ?? "" }
            return try answer(response)
        default:
            throw RPCError(code: .unimplemented, message: "the test host does not serve \(method.name)")
        }
    }
}
