import KnockModuleKit

/// The host's alerts of each case: learnt from the `alert.raised` event (a case's alerts begin
/// `随时敲 case <id>:`) and kept in the store (`alerts`, keyed by alert id, indexed by case), so
/// that when a case closes its alerts still open are acknowledged with how it ended — nobody
/// is left chasing an alert about a resident already found.
struct CaseAlerts: Sendable {
    let store: any ModuleStore

    static let collection = "alerts"
    static let prefix = "随时敲 case "

    /// Remembers the alert of an `alert.raised` event if it is a case's.
    func remember(_ event: ModuleEvent) async throws {
        guard let alertID = event.attributes["alert_id"], !alertID.isEmpty, let message = event.attributes["message"],
              message.hasPrefix(Self.prefix), let colon = message.firstIndex(of: ":")
        else { return }
        let caseID = String(message[message.index(message.startIndex, offsetBy: Self.prefix.count)..<colon])
        guard !caseID.isEmpty, alertID.utf8.count <= 128 else { return }
        var link = UrgentKnockAlertLink()
        link.alertID = alertID
        link.caseID = caseID
        try await store.put(link, collection: Self.collection, key: alertID, index: ["case": caseID])
    }

    /// Acknowledges the open alerts of a closed case through the host and forgets them. An
    /// alert someone acknowledged already is simply forgotten.
    /// - Parameters:
    ///   - closed: The case, closed.
    ///   - host: The host.
    /// - Returns: How many alerts were acknowledged.
    /// - Throws: ``RPCError`` if the store or the host fails; the alerts not yet handled stay
    ///   remembered.
    @discardableResult
    func acknowledge(_ closed: UrgentKnockCase, host: any HostCalling) async throws -> Int {
        let links = try await store.all(UrgentKnockAlertLink.self, collection: Self.collection, where: ["case": closed.id])
        var acknowledged = 0
        for link in links {
            var request = CommunityAcknowledgeAlertRequest()
            request.id = link.alertID
            request.note = "随时敲 case \(closed.id) closed: \(closed.resolution)"
            do {
                _ = try await host.call(CommunityMethods.acknowledgeAlert, request, options: CallOptions(timeout: .seconds(5)))
                acknowledged += 1
            } catch let error as RPCError where error.code == .failedPrecondition || error.code == .notFound {
                // Acknowledged by someone already, or gone.
            }
            _ = try await store.delete(collection: Self.collection, key: link.alertID)
        }
        return acknowledged
    }
}
