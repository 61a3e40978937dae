import Foundation

/// The households and residents of a roster file (户籍花名册), one row per resident, as a
/// community keeps it in a spreadsheet and imports it into the host.
///
/// The file is UTF-8 CSV (``CSVReader``) with a header row naming these columns, in any order
/// (other columns are ignored):
///
/// | column | content |
/// |---|---|
/// | `household_id` | the household's id; rows of one household repeat it |
/// | `address` | `青和居 3栋2单元401`; the same on every row of a household |
/// | `grid_id` | a known grid; the same on every row of a household |
/// | `resident_id` | the resident's id, unique in the file |
/// | `name` | required |
/// | `birth_year` | 1900 to the current year; empty if unknown |
/// | `tags` | English or Chinese tag names (``ResidentTag/init(name:)``) separated by `;`, `；`, `、` or `,` |
/// | `phone` | free text |
/// | `emergency_contact_name`, `emergency_contact_phone` | both or neither |
/// | `emergency_contact_relation` | 女儿, 邻居, …; only with a contact |
/// | `availability` | when the household is in: windows separated by `;` (``AvailabilityWindow/init(parsing:)``), e.g. `weekday 18:00-21:00; weekend 09:00-12:00`; rows of a household give the same or leave it empty |
///
/// Import is all or nothing: every row is checked, and any problem refuses the whole file with a
/// ``RosterError`` listing each bad row. Cells are trimmed; a leading `'` that guarded a
/// formula-like cell (``CSVWriter``) is removed; rows with every cell empty are skipped.
public struct HouseholdRoster: Sendable, Hashable {
    /// In the order of their first row.
    public var households: [Household]
    /// In row order.
    public var residents: [Resident]

    /// The header row, in the order ``csv(byteOrderMark:)`` writes it.
    public static let columns = [
        "household_id", "address", "grid_id", "resident_id", "name", "birth_year", "tags", "phone",
        "emergency_contact_name", "emergency_contact_phone", "emergency_contact_relation", "availability",
    ]

    /// Creates a roster from records already in hand (to write it).
    /// - Parameters:
    ///   - households: The households.
    ///   - residents: Their residents.
    public init(households: [Household], residents: [Resident]) {
        self.households = households
        self.residents = residents
    }

    /// Reads a roster file.
    /// - Parameters:
    ///   - data: The file's bytes: UTF-8 CSV, with or without a byte order mark.
    ///   - grids: The grids rows may name, each with its street and community.
    ///   - currentYear: The latest birth year accepted.
    ///   - progress: Told `(rowsDone, rowsTotal)` before the first row, every 1,000 rows and after
    ///     the last, also when the roster is then refused.
    /// - Throws: ``RosterError``: `unreadableFile` if the file is not UTF-8 CSV, `invalidHeader`
    ///   if it is empty or its header lacks a column or repeats one, `invalidRows` with every bad
    ///   row otherwise. Nothing is returned unless every row is good.
    public init(
        csv data: Data, grids: [String: Scope.Place], currentYear: Int,
        progress: (_ rowsDone: Int, _ rowsTotal: Int) -> Void = { _, _ in }
    ) throws(RosterError) {
        let (header, columns, rows) = try RosterTable.read(data, what: "the roster", columns: Self.columns)
        var reader = RowReader(columns: columns, width: header.fields.count, grids: grids, currentYear: currentYear)
        progress(0, rows.count)
        for (done, row) in rows.enumerated() {
            reader.read(row)
            if (done + 1) % 1_000 == 0, done + 1 < rows.count { progress(done + 1, rows.count) }
        }
        progress(rows.count, rows.count)
        guard reader.problems.isEmpty else {
            let lines = Set(reader.problems.map(\.line)).count
            throw RosterError(
                .invalidRows, "\(reader.problems.count) problems on \(lines) of \(rows.count) rows",
                problems: reader.problems
            )
        }
        self.init(households: reader.households, residents: reader.residents)
    }

    /// The roster as a file ``init(csv:grids:currentYear:progress:)`` reads: a header row, then one
    /// row per resident with its household's address, grid and availability. Tags are written in
    /// Chinese, separated by `、`. Households without residents have no row.
    /// - Parameter byteOrderMark: Start with the UTF-8 byte order mark, for Excel.
    public func csv(byteOrderMark: Bool = true) -> Data {
        var writer = CSVWriter(byteOrderMark: byteOrderMark)
        writer.append(Self.columns)
        let byID = Dictionary(households.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let availability = byID.mapValues { AvailabilityWindow.text(of: $0.availability) }
        for resident in residents {
            let household = byID[resident.householdID]
            let tags = ResidentTag.allCases.filter(resident.tags.contains).map(\.chineseName).joined(separator: "、")
            writer.append([
                resident.householdID, household?.address ?? "", household?.gridID ?? resident.gridID, resident.id,
                resident.name, resident.birthYear == 0 ? "" : String(resident.birthYear), tags, resident.phone,
                resident.emergencyContact?.name ?? "", resident.emergencyContact?.phone ?? "",
                resident.emergencyContact?.relation ?? "", availability[resident.householdID] ?? "",
            ])
        }
        return writer.data
    }
}

/// Checks rows one by one, collecting records and problems.
private struct RowReader {
    let columns: [String: Int]
    let width: Int
    let grids: [String: Scope.Place]
    let currentYear: Int
    var households: [Household] = []
    var residents: [Resident] = []
    var problems: [RosterError.Problem] = []
    /// Where each household was first seen: its index and line.
    var householdRows: [String: (index: Int, line: Int)] = [:]
    /// The line each resident id was first seen on.
    var residentLines: [String: Int] = [:]
    /// Tag cells and availability cells read so far: rosters repeat a few dozen of each.
    var tagsByText: [String: (tags: Set<ResidentTag>, unknown: [String])] = [:]
    var windowsByText: [String: Result<[AvailabilityWindow], DomainError>] = [:]

    init(columns: [String: Int], width: Int, grids: [String: Scope.Place], currentYear: Int) {
        self.columns = columns
        self.width = width
        self.grids = grids
        self.currentYear = currentYear
    }

    /// The tags named in a `tags` cell, and the words that name none.
    mutating func tags(_ text: String) -> (tags: Set<ResidentTag>, unknown: [String]) {
        if let known = tagsByText[text] { return known }
        var result: (tags: Set<ResidentTag>, unknown: [String]) = ([], [])
        for word in RosterTable.words(text) {
            if let tag = ResidentTag(name: word) {
                result.tags.insert(tag)
            } else {
                result.unknown.append(word)
            }
        }
        tagsByText[text] = result
        return result
    }

    /// The windows of an `availability` cell.
    mutating func windows(_ text: String) -> Result<[AvailabilityWindow], DomainError> {
        if let known = windowsByText[text] { return known }
        let result = Result { () throws(DomainError) in try AvailabilityWindow.list(parsing: text) }
        windowsByText[text] = result
        return result
    }

    mutating func read(_ row: CSVReader.Record) {
        let line = row.line
        if row.fields.allSatisfy({ $0.trimmed.isEmpty }) { return }
        guard row.fields.count == width else {
            problems.append(.init(line: line, column: nil, reason: "has \(row.fields.count) cells; the header has \(width)"))
            return
        }
        func cell(_ name: String) -> String {
            CSVWriter.removingFormulaGuard(row.fields[columns[name]!].trimmed)
        }
        let before = problems.count
        func problem(_ column: String, _ reason: String) {
            problems.append(.init(line: line, column: column, reason: reason))
        }

        let householdID = cell("household_id"), address = cell("address"), gridID = cell("grid_id")
        let residentID = cell("resident_id"), name = cell("name")
        if householdID.isEmpty { problem("household_id", "no household id") }
        if address.isEmpty { problem("address", "no address") }
        let place = grids[gridID]
        if place == nil { problem("grid_id", gridID.isEmpty ? "no grid" : "unknown grid \"\(gridID)\"") }
        if residentID.isEmpty {
            problem("resident_id", "no resident id")
        } else if let first = residentLines[residentID] {
            problem("resident_id", "resident id \(residentID) is already on line \(first)")
        } else {
            residentLines[residentID] = line
        }
        if name.isEmpty { problem("name", "no name") }

        var birthYear = 0
        let yearText = cell("birth_year")
        if !yearText.isEmpty {
            if let year = Int(yearText), (1900...currentYear).contains(year) {
                birthYear = year
            } else {
                problem("birth_year", Int(yearText) == nil
                    ? "\"\(yearText)\" is not a year" : "\(yearText) is not between 1900 and \(currentYear)")
            }
        }

        let tags = tags(cell("tags"))
        for word in tags.unknown {
            problem("tags", "unknown tag \"\(word)\" (known: \(ResidentTag.allCases.map { "\($0.rawValue)/\($0.chineseName)" }.joined(separator: ", ")))")
        }

        let contactName = cell("emergency_contact_name"), contactPhone = cell("emergency_contact_phone")
        let relation = cell("emergency_contact_relation")
        var contact: Contact?
        if !contactName.isEmpty, !contactPhone.isEmpty {
            contact = Contact(name: contactName, phone: contactPhone, relation: relation)
        } else if !contactName.isEmpty || !contactPhone.isEmpty || !relation.isEmpty {
            let missing = contactName.isEmpty ? "emergency_contact_name" : "emergency_contact_phone"
            problem(missing, "an emergency contact needs both a name and a phone")
        }

        let availabilityText = cell("availability")
        var availability: [AvailabilityWindow] = []
        switch windows(availabilityText) {
        case .success(let windows): availability = windows
        case .failure(let error): problem("availability", error.message)
        }

        if let first = householdRows[householdID] {
            let known = households[first.index]
            if !address.isEmpty, !known.address.isEmpty, address != known.address {
                problem("address", "household \(householdID) is at \"\(known.address)\" on line \(first.line)")
            }
            if !gridID.isEmpty, !known.gridID.isEmpty, gridID != known.gridID {
                problem("grid_id", "household \(householdID) is in grid \(known.gridID) on line \(first.line)")
            }
            if !availability.isEmpty {
                if known.availability.isEmpty {
                    households[first.index].availability = availability
                } else if availability != known.availability {
                    problem("availability", "household \(householdID) is in at other times on line \(first.line)")
                }
            }
        } else if !householdID.isEmpty {
            // Kept even from a bad row, so that the household's later rows are checked against it.
            householdRows[householdID] = (households.count, line)
            households.append(Household(
                id: householdID, address: address, gridID: gridID, communityID: place?.communityID ?? "",
                streetID: place?.streetID ?? "", availability: availability
            ))
        }
        guard problems.count == before, let place else { return }
        residents.append(Resident(
            id: residentID, householdID: householdID, name: name, birthYear: birthYear, tags: tags.tags,
            phone: cell("phone"), emergencyContact: contact, gridID: gridID, communityID: place.communityID,
            streetID: place.streetID
        ))
    }
}
