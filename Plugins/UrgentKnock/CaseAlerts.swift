import KnockModuleKit

/// The host's alerts of each case. The module names every alert it raises and keeps the ids
/// with the case (``UrgentKnockCase/alertIds``), saved with the change that raises it; when a
/// case closes, its alerts still open are acknowledged with how it ended — nobody is left
/// chasing an alert about a resident already found.
///
/// - A step's alert (entering it, or saying again that it is awaited) is the case's next:
///   `urgent-knock-<case>-alert-<n>`.
/// - An emergency's is `urgent-knock-<case>-emergency-<n>`, so that a retried emergency raises
///   the same alert again, or finds it raised.
enum CaseAlerts {
    /// Acknowledges the open alerts of a closed case through the host. An alert someone
    /// acknowledged already, or one never raised, is passed over.
    /// - Parameters:
    ///   - closed: The case, closed.
    ///   - host: The host.
    /// - Returns: How many alerts were acknowledged.
    /// - Throws: ``RPCError`` if the host fails; the alerts after it are not tried.
    @discardableResult
    static func acknowledge(_ closed: UrgentKnockCase, host: any HostCalling) async throws -> Int {
        var acknowledged = 0
        for alertID in closed.alertIds {
            var request = CommunityAcknowledgeAlertRequest()
            request.id = alertID
            request.note = "随时敲 case \(closed.id) closed: \(closed.resolution)"
            do {
                _ = try await host.call(CommunityMethods.acknowledgeAlert, request, options: CallOptions(timeout: .seconds(5)))
                acknowledged += 1
            } catch let error as RPCError where error.code == .failedPrecondition || error.code == .notFound {
                // Acknowledged by someone already, or never raised (the host found it a duplicate).
            }
        }
        return acknowledged
    }

    /// The id of the alert of the case's `number`th emergency.
    static func emergencyAlertID(_ caseID: String, emergency number: Int) -> String {
        "urgent-knock-\(caseID)-emergency-\(number)"
    }
}
