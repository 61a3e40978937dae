import KnockModuleKit

/// neighbour-pairing's settings, parsed strictly: a bad value is an error naming the key.
struct PairingConfiguration: Sendable, Equatable, ModuleConfigurationSettings {
    /// Days without a check-in after which a pair has lapsed.
    var lapseDays: Int = 7

    static let keys: Set<String> = ["lapse_days"]

    /// Reads `values`.
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` naming an unknown key or a bad value.
    init(_ values: [String: String]) throws {
        for key in values.keys where !Self.keys.contains(key) {
            throw RPCError(code: .failedPrecondition, message: "neighbour-pairing configuration: unknown key \"\(key)\" (known: lapse_days)")
        }
        if let text = values["lapse_days"] {
            guard let days = Int(text.trimmingCharacters(in: .whitespaces)), (1...365).contains(days) else {
                throw RPCError(code: .failedPrecondition, message: "neighbour-pairing configuration: lapse_days must be a whole number of days from 1 to 365, not \"\(text)\"")
            }
            lapseDays = days
        }
    }
}
