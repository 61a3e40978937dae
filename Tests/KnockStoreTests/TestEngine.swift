import Foundation
import Testing

/// The engines the suite runs on: SQLite always, PostgreSQL when `KNOCK_TEST_POSTGRES_URL` names
/// a database (scripts/test-postgres starts a throwaway server and sets it).
enum TestEngine: Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres(url: String)

    static var all: [TestEngine] {
        var engines: [TestEngine] = [.sqlite]
        if let url = ProcessInfo.processInfo.environment["KNOCK_TEST_POSTGRES_URL"], !url.isEmpty {
            engines.append(.postgres(url: url))
        }
        return engines
    }

    var testDescription: String {
        switch self {
        case .sqlite: "SQLite"
        case .postgres: "PostgreSQL"
        }
    }
}
