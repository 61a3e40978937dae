public import Foundation
public import KnockDomain

/// A made-up street for demos, tests and benchmarks, in the spirit of Qingshan's 工人村街: the
/// same seed gives the same street, byte for byte, on every machine.
///
/// ``gongrencun(seed:asOf:)`` is the demo: district 青山区, street 工人村街, community 青和居 with 15
/// grids and 青宜居 with 8, 15–20 households a grid. ``district(households:grids:seed:asOf:)`` is
/// the same generator at a district's scale, for benchmarks.
///
/// What it makes:
/// - one group per grid (一格一组): a staff member first (the grid's default member), a party
///   member, a resident backbone, a volunteer, and a sunk-down cadre in every third grid;
/// - households at addresses like `青和居 3栋2单元401`: elders living alone, empty-nest couples,
///   families with children (some with a grandparent), young people, middle-aged couples;
/// - residents tagged from their age and household (elderly 60+, advanced age 80+, living alone,
///   empty-nest, child under 18, young adult 18–35) and by chance (disabled, unemployed, recently
///   discharged), with phones, emergency contacts for the vulnerable, and when they are in;
/// - the initial key-persons list, flagged by the host: elders of advanced age living alone every
///   day, with the grid's party member assigned; others living alone, empty-nest of advanced age,
///   disabled or recently discharged every 7 days.
public struct DemoStreet: Sendable, Hashable {
    /// The district, its streets, communities and grids, wider levels first.
    public var units: [OrganisationUnit]
    public var members: [Member]
    public var households: [Household]
    public var residents: [Resident]
    public var keyPersons: [KeyPerson]
    /// Each grid's group, member ids in order; the first is the grid's default member.
    public var gridGroups: [String: [String]]
    /// Where each grid sits, by grid id.
    public var places: [String: Scope.Place]

    /// 2026-01-01 00:00 in Wuhan: the default "now" of the demo data.
    public static let defaultAsOf = Date(timeIntervalSince1970: 1_767_196_800)

    /// The households and residents as a roster (``HouseholdRoster``).
    public var roster: HouseholdRoster {
        HouseholdRoster(households: households, residents: residents)
    }

    /// 工人村街 of 青山区: 青和居 with 15 grids, 青宜居 with 8, 15–20 households a grid.
    /// - Parameters:
    ///   - seed: The same seed gives the same street.
    ///   - asOf: "Now" for ages and for when key persons were flagged.
    public static func gongrencun(seed: UInt64 = 2026, asOf: Date = defaultAsOf) -> DemoStreet {
        var generator = Generator(seed: seed, asOf: asOf, district: ("qingshan", "青山区"))
        generator.addStreet(id: "gongrencun", name: "工人村街", communities: [
            (id: "qinghe", name: "青和居", grids: 15),
            (id: "qingyi", name: "青宜居", grids: 8),
        ]) { generator in generator.int(in: 15...20) }
        return generator.street
    }

    /// A district of `grids` grids (about 12 a community, 6 communities a street) and exactly
    /// `households` households spread evenly over them: the same generator as
    /// ``gongrencun(seed:asOf:)``, for benchmarks.
    /// - Parameters:
    ///   - households: How many households in all.
    ///   - grids: How many grids in all; at least 1.
    ///   - seed: The same seed gives the same district.
    ///   - asOf: "Now" for ages and for when key persons were flagged.
    public static func district(households: Int, grids: Int, seed: UInt64 = 2026, asOf: Date = defaultAsOf) -> DemoStreet {
        let grids = max(1, grids)
        var generator = Generator(seed: seed, asOf: asOf, district: ("qingshan", "青山区"))
        let communityCount = (grids + 11) / 12
        let streetCount = (communityCount + 5) / 6
        var gridsLeft = grids, communityNumber = 0, gridNumber = 0
        for street in 0..<streetCount {
            let communitiesHere = min(6, communityCount - street * 6)
            var communities: [(id: String, name: String, grids: Int)] = []
            for _ in 0..<communitiesHere {
                let gridsHere = min(gridsLeft, (gridsLeft + (communityCount - communityNumber) - 1) / (communityCount - communityNumber))
                communities.append((id: "c\(pad(communityNumber + 1, 3))", name: Names.community(communityNumber), grids: gridsHere))
                gridsLeft -= gridsHere
                communityNumber += 1
            }
            generator.addStreet(id: "s\(pad(street + 1, 2))", name: Names.street(street), communities: communities) { _ in
                defer { gridNumber += 1 }
                return households / grids + (gridNumber < households % grids ? 1 : 0)
            }
        }
        return generator.street
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same sequence everywhere.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds a ``DemoStreet`` street by street.
private struct Generator {
    var random: SplitMix64
    let asOf: Date
    let year: Int
    var street: DemoStreet
    /// The few availability texts, parsed once.
    var windowsByText: [String: [AvailabilityWindow]] = [:]

    init(seed: UInt64, asOf: Date, district: (id: String, name: String)) {
        random = SplitMix64(state: seed)
        self.asOf = asOf
        year = CalendarDay(containing: asOf, in: TimeZone(identifier: "Asia/Shanghai")!).year
        street = DemoStreet(
            units: [OrganisationUnit(id: district.id, level: .district, name: district.name, parentID: nil)],
            members: [], households: [], residents: [], keyPersons: [], gridGroups: [:], places: [:]
        )
    }

    mutating func int(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ percent: Int) -> Bool { int(in: 1...100) <= percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(in: 0...(items.count - 1))] }

    mutating func addStreet(
        id streetID: String, name: String, communities: [(id: String, name: String, grids: Int)],
        householdsPerGrid: (inout Generator) -> Int
    ) {
        street.units.append(OrganisationUnit(id: streetID, level: .street, name: name, parentID: street.units[0].id))
        for community in communities {
            street.units.append(OrganisationUnit(id: community.id, level: .community, name: community.name + "社区", parentID: streetID))
            for gridIndex in 0..<community.grids {
                let gridID = "\(community.id)-g\(pad(gridIndex + 1, 2))"
                let place = Scope.Place(streetID: streetID, communityID: community.id, gridID: gridID)
                street.units.append(OrganisationUnit(id: gridID, level: .grid, name: "第\(gridIndex + 1)网格", parentID: community.id))
                street.places[gridID] = place
                addGroup(place, gridIndex: gridIndex)
                let count = householdsPerGrid(&self)
                for number in 0..<count {
                    addHousehold(place, communityName: community.name, gridIndex: gridIndex, number: number)
                }
            }
        }
    }

    /// The grid's group, staff member first.
    mutating func addGroup(_ place: Scope.Place, gridIndex: Int) {
        var roles: [(String, MemberRole)] = [("staff", .staff), ("party", .partyMember), ("backbone", .residentBackbone), ("volunteer", .volunteer)]
        if gridIndex % 3 == 0 { roles.append(("cadre", .sunkDownCadre)) }
        var group: [String] = []
        for (suffix, role) in roles {
            let id = "\(place.gridID)-\(suffix)"
            let name = pick(Names.surnames) + pick(role == .partyMember ? Names.elderGiven[int(in: 0...1)] : Names.adultGiven)
            street.members.append(Member(id: id, name: name, roles: [role], communityID: place.communityID, gridIDs: [place.gridID], phone: phone()))
            group.append(id)
        }
        street.gridGroups[place.gridID] = group
    }

    /// One household: its people, their tags, and key persons among them.
    mutating func addHousehold(_ place: Scope.Place, communityName: String, gridIndex: Int, number: Int) {
        // Two buildings a grid; four units a building; rooms filled unit by unit, floor by floor.
        var rest = number / 2
        let unit = 1 + rest % 4
        rest /= 4
        let floor = 1 + rest % 18
        let room = 1 + rest / 18
        let address = "\(communityName) \(gridIndex * 2 + 1 + number % 2)栋\(unit)单元\(floor)\(pad(room, 2))"
        let householdID = "\(place.gridID)-h\(pad(number + 1, 3))"

        let surname = pick(Names.surnames)
        var ages: [Int]
        var availability: String
        switch int(in: 1...100) {
        case 1...14:
            ages = [int(in: 65...95)]
            availability = pick(["daily 09:00-11:30; daily 15:00-17:30", "daily 08:30-11:00", "daily 14:30-17:00"])
        case 15...30:
            ages = [int(in: 60...90), int(in: 60...90)]
            availability = pick(["daily 09:00-11:30; daily 15:00-17:30", "1-6 09:00-11:00"])
        case 31...60:
            ages = [int(in: 28...50), int(in: 28...50)] + (0..<int(in: 1...2)).map { _ in int(in: 2...17) }
            if chance(30) { ages.append(int(in: 60...88)) }
            availability = pick(["weekday 18:30-21:00; weekend 09:00-12:00", "1,3,5 19:00-21:00", "weekend 09:00-12:00; weekend 15:00-18:00"])
        case 61...75:
            ages = (0..<int(in: 1...2)).map { _ in int(in: 20...34) }
            availability = pick(["weekend 10:00-12:00; 2,4 19:30-21:30", "weekday 20:00-22:00", "sat 14:00-18:00"])
        default:
            ages = [int(in: 40...59), int(in: 40...59)]
            if chance(50) { ages.append(int(in: 18...30)) }
            availability = pick(["weekday 18:30-21:00; weekend 09:00-12:00", "2,4,6 19:00-21:00"])
        }
        let allElderly = ages.allSatisfy { $0 >= 60 }
        let windows = windowsByText[availability] ?? ((try? AvailabilityWindow.list(parsing: availability)) ?? [])
        windowsByText[availability] = windows
        street.households.append(Household(
            id: householdID, address: address, gridID: place.gridID, communityID: place.communityID,
            streetID: place.streetID, availability: windows
        ))

        for (index, age) in ages.enumerated() {
            var tags: Set<ResidentTag> = []
            if age >= 60 { tags.insert(.elderly) }
            if age >= 80 { tags.insert(.advancedAge) }
            if age < 18 { tags.insert(.child) }
            if (18...35).contains(age) { tags.insert(.youngAdult) }
            if ages.count == 1, age >= 60 { tags.insert(.livingAlone) }
            if ages.count > 1, allElderly { tags.insert(.emptyNest) }
            if chance(age >= 60 ? 6 : 3) { tags.insert(.disabled) }
            if (18...59).contains(age), chance(8) { tags.insert(.unemployed) }
            if age >= 60, chance(5) { tags.insert(.recentlyDischarged) }

            let given = age >= 60 ? pick(Names.elderGiven[int(in: 0...1)]) : age < 36 ? pick(Names.youngGiven) : pick(Names.adultGiven)
            let name = (index == 0 || (index > 1 && age < 60) ? surname : pick(Names.surnames)) + given
            let vulnerable = !tags.isDisjoint(with: [.livingAlone, .emptyNest, .advancedAge, .disabled])
            let contact = vulnerable
                ? Contact(name: pick(Names.surnames) + pick(Names.adultGiven), phone: phone(), relation: pick(Names.relations))
                : nil
            let resident = Resident(
                id: "\(householdID)-\(index + 1)", householdID: householdID, name: name, birthYear: year - age, tags: tags,
                phone: age >= 16 && (age < 80 || chance(60)) ? phone() : "", emergencyContact: contact,
                gridID: place.gridID, communityID: place.communityID, streetID: place.streetID
            )
            street.residents.append(resident)
            addKeyPerson(resident, place: place)
        }
    }

    /// Flags `resident` as a key person if its tags call for it.
    mutating func addKeyPerson(_ resident: Resident, place: Scope.Place) {
        let tags = resident.tags
        var reasons: [String] = []
        let daily = tags.isSuperset(of: [.livingAlone, .advancedAge])
        if daily { reasons.append("独居高龄") } else if tags.contains(.livingAlone) { reasons.append("独居老人") }
        if tags.isSuperset(of: [.emptyNest, .advancedAge]) { reasons.append("空巢高龄") }
        if tags.contains(.disabled) { reasons.append("残疾") }
        if tags.contains(.recentlyDischarged) { reasons.append("近期出院") }
        guard !reasons.isEmpty else { return }
        street.keyPersons.append(KeyPerson(
            residentID: resident.id, householdID: resident.householdID, gridID: place.gridID,
            communityID: place.communityID, streetID: place.streetID,
            reasons: reasons.map { KeyPersonReason(reason: $0, flaggedBy: .host, since: asOf) },
            cadenceDays: daily ? 1 : 7, assignedMemberID: daily ? "\(place.gridID)-party" : nil
        ))
    }

    /// A mobile number: 13x, 15x or 18x and eight more digits.
    mutating func phone() -> String {
        "1\(pick([3, 5, 8]))\(int(in: 0...9))" + pad(int(in: 0...99_999_999), 8)
    }
}

/// Zero-padded decimal.
private func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

/// Names for the demo: common surnames, given names by generation, places.
private enum Names {
    static let surnames = [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高",
        "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁",
        "潘", "蔡", "蒋", "余", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "沈", "熊",
    ]
    /// Women's, then men's given names of the generation born before 1966.
    static let elderGiven = [
        ["秀英", "桂英", "玉兰", "淑珍", "凤英", "兰英", "秀兰", "桂兰", "玉珍", "素珍", "桂芳", "凤兰"],
        ["建国", "国华", "德明", "志强", "文华", "福生", "汉清", "长江", "德胜", "保国", "建华", "正兴"],
    ]
    static let adultGiven = [
        "伟", "强", "磊", "军", "勇", "洋", "艳", "娟", "敏", "静", "丽", "芳", "涛", "斌", "红", "霞", "海燕",
        "建军", "晓东", "春梅", "志刚", "丽华",
    ]
    static let youngGiven = [
        "子涵", "浩然", "梓萱", "一诺", "雨桐", "欣怡", "宇轩", "俊杰", "思远", "诗琪", "梓豪", "语嫣", "佳怡", "子轩",
    ]
    static let relations = ["儿子", "女儿", "侄子", "外甥女", "邻居", "儿媳", "女婿"]
    static let streets = ["工人村街", "红卫路街", "冶金街", "新沟桥街", "红钢城街", "青山镇街", "厂前街", "武东街", "白玉山街", "钢花村街"]
    static let communityFirst = ["青", "和", "宜", "钢", "红", "建", "新", "康", "安", "乐", "园", "湖"]
    static let communitySecond = ["和居", "宜居", "苑", "园", "花园", "新村", "里", "湾"]

    static func street(_ index: Int) -> String {
        index < streets.count ? streets[index] : "第\(index + 1)街"
    }

    static func community(_ index: Int) -> String {
        let first = communityFirst[index % communityFirst.count]
        let second = communitySecond[(index / communityFirst.count) % communitySecond.count]
        let round = index / (communityFirst.count * communitySecond.count)
        return first + second + (round == 0 ? "" : "\(round + 1)")
    }
}
