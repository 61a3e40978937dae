import KnockModuleKit

/// Whether the person collecting a child is one of those enrolled to: a guardian (name and
/// phone), an authorised person (name with phone or ID-card last 4), or an authorised member
/// (member id).
struct PickUp: Sendable, Equatable {
    /// "guardian 母亲", "authorised 奶奶".
    let collectedAs: String
    /// The enrolled name.
    let name: String

    /// The enrolled person `request` presents, or `nil` for anyone else.
    init?(_ request: AfterSchoolCheckOutRequest, enrolment: AfterSchoolEnrolment) {
        let name = Self.normalisedName(request.collectorName)
        let phone = Self.digits(request.collectorPhone)
        let last4 = request.collectorIDCardLast4.trimmingCharacters(in: .whitespaces).uppercased()
        if !request.collectorMemberID.isEmpty,
           let person = enrolment.authorised.first(where: { !$0.memberID.isEmpty && $0.memberID == request.collectorMemberID }) {
            self.init(collectedAs: Self.label("authorised", person.relation), name: person.name)
            return
        }
        guard !name.isEmpty else { return nil }
        if !phone.isEmpty, let guardian = enrolment.guardians.first(where: { Self.normalisedName($0.name) == name && Self.digits($0.phone) == phone }) {
            self.init(collectedAs: Self.label("guardian", guardian.relation), name: guardian.name)
            return
        }
        let person = enrolment.authorised.first { person in
            guard Self.normalisedName(person.name) == name else { return false }
            let phoneMatches = !phone.isEmpty && Self.digits(person.phone) == phone
            let cardMatches = last4.count == 4 && person.idCardLast4.uppercased() == last4
            return phoneMatches || cardMatches
        }
        guard let person else { return nil }
        self.init(collectedAs: Self.label("authorised", person.relation), name: person.name)
    }

    private init(collectedAs: String, name: String) {
        self.collectedAs = collectedAs
        self.name = name
    }

    static func label(_ kind: String, _ relation: String) -> String {
        relation.isEmpty ? kind : "\(kind) \(relation)"
    }

    /// A name without surrounding or inner spaces (王 秀兰 is 王秀兰).
    static func normalisedName(_ name: String) -> String {
        name.filter { !$0.isWhitespace }
    }

    /// A phone number's digits (139-0000 1111 is 13900001111).
    static func digits(_ phone: String) -> String {
        phone.filter { $0.isASCII && $0.isNumber }
    }
}
