#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a supervised process ended.
public enum ExitReason: Sendable, Hashable, CustomStringConvertible {
    /// The process called `exit` (or returned from `main`) with this status.
    case exited(status: Int32)
    /// The process was ended by this signal (`SIGKILL` is 9, `SIGTERM` 15 on Linux).
    case signalled(signal: Int32)

    /// `exit status 3`, or `signal 9 (SIGKILL)`.
    public var description: String {
        switch self {
        case .exited(let status):
            return "exit status \(status)"
        case .signalled(let signal):
            if let name = Self.signalName(signal) {
                return "signal \(signal) (\(name))"
            }
            return "signal \(signal)"
        }
    }

    /// The conventional name of the signals a supervised process usually dies of.
    static func signalName(_ signal: Int32) -> String? {
        switch signal {
        case SIGHUP: return "SIGHUP"
        case SIGINT: return "SIGINT"
        case SIGQUIT: return "SIGQUIT"
        case SIGILL: return "SIGILL"
        case SIGTRAP: return "SIGTRAP"
        case SIGABRT: return "SIGABRT"
        case SIGBUS: return "SIGBUS"
        case SIGFPE: return "SIGFPE"
        case SIGKILL: return "SIGKILL"
        case SIGUSR1: return "SIGUSR1"
        case SIGSEGV: return "SIGSEGV"
        case SIGUSR2: return "SIGUSR2"
        case SIGPIPE: return "SIGPIPE"
        case SIGALRM: return "SIGALRM"
        case SIGTERM: return "SIGTERM"
        default: return nil
        }
    }
}
