/// A method's settings, read strictly from its configuration (``ModuleContext/configuration``):
/// a bad value or an unknown key is an error naming it.
public protocol ModuleConfigurationSettings: Sendable {
    /// Reads the settings.
    /// - Parameter configuration: The module's configuration.
    /// - Throws: ``RPCError`` naming the key at fault.
    init(_ configuration: [String: String]) throws
}
