/// What a member of a grid group is (一格一组: staff, veteran party members, resident
/// volunteers and sunk-down cadres knock together).
public enum MemberRole: String, Sendable, Hashable, CaseIterable, Codable {
    /// 社区工作人员 community staff.
    case staff
    /// 党员 party member.
    case partyMember = "party-member"
    /// 居民骨干 resident backbone.
    case residentBackbone = "resident-backbone"
    /// 志愿者 volunteer.
    case volunteer
    /// 下沉干部 sunk-down cadre.
    case sunkDownCadre = "sunk-down-cadre"
    /// 部门干部 department officer (好样的工作队).
    case departmentOfficer = "department-officer"
}
