import KnockDomain
import KnockModuleKit
import KnockStore

/// The members of the grid groups, as a member's app and the street office read them.
extension CommunityService {
    /// The members in the caller's scope (of its street or community, or assigned to one of its
    /// grids), in id order; narrowed to a community or a grid if asked.
    func listMembers(_ request: CommunityListMembersRequest, caller: Caller) async throws -> CommunityListMembersResponse {
        var response = CommunityListMembersResponse()
        response.members = try await database.members(in: caller.scope)
            .filter { request.communityID.isEmpty || $0.communityID == request.communityID }
            .filter { request.gridID.isEmpty || $0.gridIDs.contains(request.gridID) }
            .map { $0.message(revealContacts: caller.seesContacts) }
        return response
    }

    /// One member in the caller's scope; `me` (or no id) is the calling member.
    /// - Throws: `NOT_FOUND` for a member outside the scope or unknown (alike), or `me` asked by
    ///   a caller who is not a member.
    func getMember(_ request: CommunityGetMemberRequest, caller: Caller) async throws -> CommunityMember {
        let id: String
        if request.id.isEmpty || request.id == "me" {
            guard case .member(let own) = caller.provenance else {
                throw RPCError(code: .notFound, message: "\(caller.provenance.text) is not a member: there is no \"me\" to show")
            }
            id = own
        } else {
            id = request.id
        }
        guard let member = try await database.members(in: caller.scope, id: id).first else {
            throw RPCError(code: .notFound, message: "member \(id) not found")
        }
        return member.message(revealContacts: caller.seesContacts)
    }
}

extension Member {
    /// The member as the services show it, the phone masked unless the caller may see it.
    func message(revealContacts: Bool) -> CommunityMember {
        var message = CommunityMember()
        message.id = id
        message.name = name
        message.roles = roles.map(\.rawValue).sorted()
        message.communityID = communityID
        message.gridIds = gridIDs
        message.phone = revealContacts ? phone : PhoneMask.masked(phone)
        return message
    }
}
