import KnockModuleKit
import KnockTestSupport
import Logging
import Synchronization
import Testing

@Suite("A method's settings, read from its configuration once")
struct ModuleConfigurationSettingsTests {
    /// Counts how often it is read.
    static let reads = Mutex(0)

    struct Cadence: ModuleConfigurationSettings {
        var days: Int

        init(_ configuration: [String: String]) throws {
            ModuleConfigurationSettingsTests.reads.withLock { $0 += 1 }
            guard let days = Int(configuration["cadence_days"] ?? "7"), days > 0 else {
                throw RPCError(code: .invalidArgument, message: "cadence_days: not a positive number of days")
            }
            self.days = days
        }
    }

    @Test("read once per configuration; a new configuration is read again; a bad one throws every time")
    func readOnce() throws {
        var context = ModuleContext(moduleID: "test", logger: Logger(label: "test"), configuration: ["cadence_days": "3"], store: MemoryModuleStore())
        let before = Self.reads.withLock { $0 }
        #expect(try context.configuration(as: Cadence.self).days == 3)
        #expect(try context.configuration(as: Cadence.self).days == 3)
        #expect(Self.reads.withLock { $0 } == before + 1)

        context.configuration = ["cadence_days": "14"]
        #expect(try context.configuration(as: Cadence.self).days == 14)
        #expect(Self.reads.withLock { $0 } == before + 2)

        context.configuration = ["cadence_days": "never"]
        #expect(throws: RPCError.self) { try context.configuration(as: Cadence.self) }
        #expect(throws: RPCError.self) { try context.configuration(as: Cadence.self) }
        #expect(Self.reads.withLock { $0 } == before + 4)
    }
}
