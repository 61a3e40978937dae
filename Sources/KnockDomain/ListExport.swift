import Foundation

/// The host's two lists as CSV for the street office's spreadsheets: the resident-needs list
/// (居民需求清单) and the key-persons list (重点人员清单).
///
/// Headers are stable English names (a spreadsheet's formulas and an integrator's importer may
/// rely on them; a new column is only ever added at the end). Times are ISO 8601 with the
/// offset of ``timeZone`` (`2026-11-30T09:30:00+08:00`); empty when there is none. The data
/// goes through ``CSVWriter``, so cells typed by people cannot run as formulas, and starts with
/// a byte order mark by default so that Excel shows Chinese.
public struct ListExport: Sendable {
    /// The columns of ``needs(_:residentNames:at:lifecycle:)``.
    public static let needColumns = [
        "need_id", "resident_id", "resident_name", "grid_id", "category", "urgency", "status", "owner",
        "raised_by", "raised_at", "due_at", "overdue", "summary",
    ]
    /// The columns of ``keyPersons(_:residentNames:on:)``.
    public static let keyPersonColumns = [
        "resident_id", "resident_name", "grid_id", "reasons", "cadence_days", "assigned_member", "last_knock_at",
        "due_today",
    ]

    /// The deployment's time zone, for times and for which day is today.
    public var timeZone: TimeZone
    /// Whether the data starts with the UTF-8 byte order mark.
    public var byteOrderMark: Bool

    /// Creates an exporter.
    /// - Parameters:
    ///   - timeZone: The deployment's time zone.
    ///   - byteOrderMark: Start the data with the UTF-8 byte order mark, for Excel.
    public init(timeZone: TimeZone, byteOrderMark: Bool = true) {
        self.timeZone = timeZone
        self.byteOrderMark = byteOrderMark
    }

    /// The needs list: one row per need, in the order given.
    /// - Parameters:
    ///   - needs: The needs to list.
    ///   - residentNames: Names by resident id, for a caller allowed to see them; others are
    ///     left empty.
    ///   - now: The time `overdue` is judged at.
    ///   - lifecycle: The rules that say what is overdue.
    ///   - first: Whether this is the first part of the list (the byte order mark, if any, and
    ///     the header); a later part is rows only, to be appended.
    public func needs(
        _ needs: [Need], residentNames: [String: String] = [:], at now: Date, lifecycle: NeedLifecycle = NeedLifecycle(), first: Bool = true
    ) -> Data {
        var writer = CSVWriter(byteOrderMark: first && byteOrderMark)
        if first { writer.append(Self.needColumns) }
        for need in needs {
            writer.append([
                need.id, need.residentID, residentNames[need.residentID] ?? "", need.gridID, need.category,
                need.urgency.rawValue, need.status.rawValue, need.owner?.text ?? "", need.raisedBy.text,
                timestamp(need.raisedAt), timestamp(need.dueAt), lifecycle.isOverdue(need, at: now) ? "yes" : "no",
                need.summary,
            ])
        }
        return writer.data
    }

    /// The key-persons list: one row per key person, in the order given. Reasons are written
    /// `独居高龄 (host); 近期出院 (module:opportunity)`.
    /// - Parameters:
    ///   - keyPersons: The entries to list.
    ///   - residentNames: Names by resident id, for a caller allowed to see them; others are
    ///     left empty.
    ///   - day: Today, for `due_today` (``KeyPerson/isDue(on:timeZone:)``).
    ///   - first: Whether this is the first part of the list (the byte order mark, if any, and
    ///     the header); a later part is rows only, to be appended.
    public func keyPersons(_ keyPersons: [KeyPerson], residentNames: [String: String] = [:], on day: CalendarDay, first: Bool = true) -> Data {
        var writer = CSVWriter(byteOrderMark: first && byteOrderMark)
        if first { writer.append(Self.keyPersonColumns) }
        for person in keyPersons {
            writer.append([
                person.residentID, residentNames[person.residentID] ?? "", person.gridID,
                person.reasons.map { "\($0.reason) (\($0.flaggedBy.text))" }.joined(separator: "; "),
                String(person.cadenceDays), person.assignedMemberID ?? "", person.lastKnockAt.map(timestamp) ?? "",
                person.isDue(on: day, timeZone: timeZone) ? "yes" : "no",
            ])
        }
        return writer.data
    }

    /// `2026-11-30T09:30:00+08:00` in ``timeZone``.
    private func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZoneSeparator: .colon, timeZone: timeZone))
    }
}
