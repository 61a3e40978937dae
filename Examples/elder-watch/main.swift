import Foundation
import KnockModuleKit

// A module process: reads where the host is and its certificate from the environment the
// host's supervisor (or an operator) sets — KNOCK_HOST, KNOCK_MODULE_CERT, KNOCK_MODULE_KEY,
// KNOCK_CA, KNOCK_SERVER_NAME — then dials in, registers and serves until stopped.
do {
    try await ModuleRunner(module: ElderWatch(), configuration: .fromEnvironment()).run()
} catch {
    FileHandle.standardError.write(Data("elder-watch: \(error)\n".utf8))
    exit(1)
}
