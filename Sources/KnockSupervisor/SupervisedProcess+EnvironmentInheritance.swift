#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension SupervisedProcess {
    /// Which of the host's environment variables a supervised process inherits.
    public struct EnvironmentInheritance: Sendable, Hashable {
        /// The names to inherit, or `nil` for all.
        let names: Set<String>?

        /// Every variable of the host.
        public static let all = Self(names: nil)

        /// Only the named variables (those of them the host has).
        /// - Parameter names: The variables to pass on, e.g. `["PATH", "HOME", "LANG", "TZ"]`.
        public static func only(_ names: Set<String>) -> Self {
            Self(names: names)
        }

        /// The inherited variables, read from the host's environment now; `nil` means all of
        /// them, left to the operating system to pass on.
        func selectedVariables() -> [String: String]? {
            guard let names else {
                return nil
            }
            var variables: [String: String] = [:]
            for name in names {
                if let value = getenv(name) {
                    variables[name] = String(cString: value)
                }
            }
            return variables
        }
    }
}
