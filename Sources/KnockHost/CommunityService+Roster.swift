import Foundation
import KnockDomain
import KnockModuleKit
import KnockStore

extension CommunityService {
    func registerRoster(with router: inout RPCRouter) {
        let service = self
        router.register(CommunityMethods.importHouseholds) { request, context, writer in
            try await service.serve(context) { caller in try await service.importHouseholds(request, caller: caller, writer: writer) }
        }
        router.register(CommunityMethods.importOrganisation) { request, context in
            try await service.serve(context) { caller in try await service.importOrganisation(request, caller: caller) }
        }
        router.register(CommunityMethods.exportNeeds) { request, context in
            try await service.serve(context) { caller in try await service.exportNeeds(request, caller: caller) }
        }
        router.register(CommunityMethods.exportKeyPersons) { request, context in
            try await service.serve(context) { caller in try await service.exportKeyPersons(request, caller: caller) }
        }
    }

    /// Reads the roster (every row checked, progress streamed as it goes), then writes it all in
    /// one transaction, or nothing: a bad row fails the call with every bad row's line, column
    /// and reason in the message, and the store is unchanged.
    func importHouseholds(
        _ request: CommunityImportHouseholdsRequest, caller: Caller, writer: StreamWriter<CommunityImportHouseholdsEvent>
    ) async throws {
        let grids = try await gridPlaces(for: caller)
        let year = Calendar(identifier: .gregorian).component(.year, from: now())
        let (progress, reported) = AsyncStream.makeStream(of: (Int, Int).self, bufferingPolicy: .bufferingNewest(1))
        let csv = request.csv
        async let parsed = Self.readRoster(csv, grids: grids, year: year, progress: reported)
        for await (done, total) in progress {
            var event = CommunityImportHouseholdsEvent()
            event.progress.rowsDone = UInt32(clamping: done)
            event.progress.rowsTotal = UInt32(clamping: total)
            try await writer.write(event)
        }
        let roster: HouseholdRoster
        do {
            roster = try await parsed
        } catch let error as RosterError {
            throw RPCError(code: .invalidArgument, message: Self.describe(error))
        }
        var summary = CommunityImportSummary()
        summary.dryRun = request.dryRun
        if request.dryRun {
            summary.householdsInserted = UInt32(clamping: roster.households.count)
            summary.residentsInserted = UInt32(clamping: roster.residents.count)
        } else {
            let written = try await database.importRoster(households: roster.households, residents: roster.residents, caller: caller)
            summary.householdsInserted = UInt32(clamping: written.householdsInserted)
            summary.householdsUpdated = UInt32(clamping: written.householdsUpdated)
            summary.residentsInserted = UInt32(clamping: written.residentsInserted)
            summary.residentsUpdated = UInt32(clamping: written.residentsUpdated)
        }
        var event = CommunityImportHouseholdsEvent()
        event.summary = summary
        try await writer.write(event)
    }

    /// Reads the units and members files (every row checked against each other and the units
    /// already stored), then writes both in one transaction, or nothing: a bad row fails the call
    /// with every bad row's file, line, column and reason. For the deployment's administrators.
    func importOrganisation(_ request: CommunityImportOrganisationRequest, caller: Caller) async throws -> CommunityImportOrganisationResponse {
        guard case .administrator = caller.provenance else {
            throw RPCError(code: .permissionDenied, message: "importing the organisation is for the deployment's administrators")
        }
        let known = try await database.units(in: .district("*")).reduce(into: [String: OrganisationUnit]()) { $0[$1.id] = $1 }
        let (units, members) = (request.unitsCsv, request.membersCsv)
        let roster: OrganisationRoster
        do {
            roster = try await offTheEventLoop { try OrganisationRoster(units: units, members: members, known: known) }
        } catch let error as RosterError {
            throw RPCError(code: .invalidArgument, message: Self.describe(error))
        }
        if !request.dryRun {
            try await database.importOrganisation(units: roster.units, members: roster.members)
        }
        var response = CommunityImportOrganisationResponse()
        response.units = UInt32(clamping: roster.units.count)
        response.members = UInt32(clamping: roster.members.count)
        response.dryRun = request.dryRun
        return response
    }

    /// Reads a roster off the connection's event loop (a district's roster takes seconds), telling
    /// `progress` as it goes and finishing it at the end.
    static func readRoster(
        _ csv: Data, grids: [String: Scope.Place], year: Int, progress: AsyncStream<(Int, Int)>.Continuation
    ) async throws -> HouseholdRoster {
        defer { progress.finish() }
        return try await offTheEventLoop {
            try HouseholdRoster(csv: csv, grids: grids, currentYear: year) { done, total in progress.yield((done, total)) }
        }
    }

    /// The roster's refusal as one message: the reason, then every bad row (at most 200).
    static func describe(_ error: RosterError) -> String {
        let shown = error.problems.prefix(200).map { "\n  \($0)" }.joined()
        let more = error.problems.count > 200 ? "\n  … and \(error.problems.count - 200) more" : ""
        return "\(error.message); nothing was imported\(shown)\(more)"
    }

    /// The grids the caller may import into, each with its community and street.
    func gridPlaces(for caller: Caller) async throws -> [String: Scope.Place] {
        let units = try await database.units(in: .district("*"))
        let parents = units.reduce(into: [String: String]()) { $0[$1.id] = $1.parentID }
        var places: [String: Scope.Place] = [:]
        for grid in units where grid.level == .grid {
            guard let community = grid.parentID, let street = parents[community] ?? nil else { continue }
            let place = Scope.Place(streetID: street, communityID: community, gridID: grid.id)
            if caller.scope.contains(place) { places[grid.id] = place }
        }
        return places
    }

    func exportNeeds(_ request: CommunityExportRequest, caller: Caller) async throws -> CommunityExportResponse {
        let filter = NeedFilter(statuses: Set(NeedStatus.allCases))
        let part = try await exportPart(request) { limit, after in
            try await database.needs(caller: caller, filter: filter, limit: limit, after: after)
        }
        let names = try await database.residentNames(ids: Array(Set(part.items.map(\.residentID))), caller: caller)
        let csv = ListExport(timeZone: timeZone, byteOrderMark: request.byteOrderMark)
            .needs(part.items, residentNames: names, at: now(), lifecycle: lifecycle, first: request.after.isEmpty)
        return try Self.exportResponse(csv, rows: part.items.count, nextAfter: part.nextAfter, whole: request.limit == 0)
    }

    func exportKeyPersons(_ request: CommunityExportRequest, caller: Caller) async throws -> CommunityExportResponse {
        let part = try await exportPart(request) { limit, after in
            try await database.keyPersons(caller: caller, timeZone: timeZone, limit: limit, after: after)
        }
        let names = try await database.residentNames(ids: part.items.map(\.residentID), caller: caller)
        let csv = ListExport(timeZone: timeZone, byteOrderMark: request.byteOrderMark)
            .keyPersons(part.items, residentNames: names, on: CalendarDay(containing: now(), in: timeZone), first: request.after.isEmpty)
        return try Self.exportResponse(csv, rows: part.items.count, nextAfter: part.nextAfter, whole: request.limit == 0)
    }

    /// The most rows of one part of an export.
    static let maxExportPart = 10_000
    /// The most bytes of CSV one answer carries: under the 4 MiB frame, with room for the rest.
    static let maxExportBytes = 4 * 1024 * 1024 - 64 * 1024

    /// The rows of one part of an export (every row with limit 0), read a page at a time from
    /// the part's `after`.
    /// - Throws: `INVALID_ARGUMENT` for a limit over ``maxExportPart``; what `read` throws.
    private func exportPart<Item>(
        _ request: CommunityExportRequest, _ read: (_ limit: Int, _ after: String?) async throws -> Page<Item>
    ) async throws -> Page<Item> {
        guard request.limit <= Self.maxExportPart else { throw RPCError.invalidField("limit", "must be at most \(Self.maxExportPart)") }
        let wanted = request.limit == 0 ? Int.max : Int(request.limit)
        var items: [Item] = []
        var after = request.after.isEmpty ? nil : request.after
        repeat {
            let page = try await read(min(Self.maxPage, wanted - items.count), after)
            items += page.items
            after = page.nextAfter
        } while after != nil && items.count < wanted
        return Page(items, nextAfter: after)
    }

    /// One part's answer.
    /// - Parameter whole: Whether the whole list was asked for in one answer.
    /// - Throws: `RESOURCE_EXHAUSTED` when the whole list does not fit in one answer.
    static func exportResponse(_ csv: Data, rows: Int, nextAfter: String?, whole: Bool, maximumBytes: Int = maxExportBytes) throws -> CommunityExportResponse {
        if whole, csv.count > maximumBytes {
            throw RPCError(code: .resourceExhausted, message: "the export is \(rows) rows, \(csv.count) bytes: more than one answer carries (\(maximumBytes) bytes); ask for it in parts with limit and after, as `knock export` does")
        }
        var response = CommunityExportResponse()
        response.csv = csv
        response.rows = UInt32(clamping: rows)
        response.nextAfter = nextAfter ?? ""
        return response
    }
}
