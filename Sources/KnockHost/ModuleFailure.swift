public import KnockModuleKit

/// A module that did not contribute to a call: it failed, timed out, or was unreachable.
public struct ModuleFailure: Sendable, Hashable, CustomStringConvertible {
    /// The module.
    public var moduleID: String
    /// How it failed (`DEADLINE_EXCEEDED` for a module cut off at its time limit).
    public var code: StatusCode
    /// What it said, or what happened.
    public var message: String

    public var description: String { "\(moduleID): \(code.name): \(message)" }
}
