import KnockModuleKit

/// after-school's settings, parsed strictly: a bad value is an error naming the key.
struct AfterSchoolConfiguration: Sendable, Equatable, ModuleConfigurationSettings {
    /// Closing time, HH:MM.
    var closes = "18:00"
    /// Closing time in minutes after midnight.
    var closesMinutes = 18 * 60

    /// Reads `values`.
    /// - Throws: ``RPCError`` `FAILED_PRECONDITION` naming an unknown key or a bad value.
    init(_ values: [String: String]) throws {
        for key in values.keys where key != "closes" {
            throw RPCError(code: .failedPrecondition, message: "after-school configuration: unknown key \"\(key)\" (known: closes)")
        }
        if let text = values["closes"] {
            guard let minutes = ModuleCalendar.minutes(parsing: text) else {
                throw RPCError(code: .failedPrecondition, message: "after-school configuration: closes must be a time of day, HH:MM, not \"\(text)\"")
            }
            closes = text
            closesMinutes = minutes
        }
    }
}
