#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How the supervisor makes sure no child outlives the host, even when the host is killed with
/// `SIGKILL` and has no chance to stop its children.
///
/// ## How it works
/// Linux lets a process ask the kernel for a signal when its parent dies:
/// `prctl(PR_SET_PDEATHSIG, signal)`. The call must be made by the child itself, after it is
/// created and before it runs the module. Swift cannot safely run code in a freshly forked child
/// of a multi-threaded process, and swift-subprocess 1.0.2 offers no pre-exec hook on Linux, so
/// the supervisor starts each module as
///
/// ```
/// setpriv --pdeathsig SIGKILL -- /bin/sh -c '[ "$PPID" = "$1" ] || exit 125; shift; exec "$@"' \
///     knock-supervisor <host pid> <executable> <arguments…>
/// ```
///
/// `setpriv` (util-linux, installed on every Debian system) arms the signal and `exec`s the
/// shell; the shell checks that its parent is still the host — closing the window in which the
/// host could die after creating the child but before the signal was armed, when the child
/// would otherwise be adopted by `init` unarmed — and `exec`s the module. A process keeps its
/// pid and its parent-death signal through `exec`, so the pid the supervisor reports, signals
/// and reaps is the module's own, and it is armed for as long as it runs. Its arguments pass
/// through the shell untouched (`"$@"`); the shell adds `PWD` to its environment.
///
/// ## Which thread counts as the parent
/// The kernel sends the signal when the *thread* that created the child exits, not when the
/// host process does. Children created from one of Swift's cooperative-pool threads, which the
/// runtime retires when idle, would be killed at random. swift-subprocess creates every child
/// from a single worker thread of its own, started on first use and ended only when the process
/// exits, never from the calling task's thread; the test
/// `childSurvivesTheExitOfThreadsThatRanTheSupervisor` runs a supervisor on threads that it then
/// retires, and checks that the child lives on (and, as a control, that a child created from such
/// a thread does die).
///
/// ## Limits
/// The signal reaches the module's own process only; processes the module starts are its own to
/// look after (it can arm `PR_SET_PDEATHSIG` for them in turn). The kernel clears the setting
/// when a set-user-ID or file-capability program is executed. Parent-death signals exist on
/// Linux only.
public struct OrphanProtection: Sendable, Hashable {
    enum Mode: Sendable, Hashable {
        case parentDeathSignal(signal: Int32, setprivPath: String?)
        case disabled
    }

    let mode: Mode

    private init(_ mode: Mode) {
        self.mode = mode
    }

    /// Children get `SIGKILL` when the host dies (the default).
    ///
    /// `SIGKILL` rather than `SIGTERM`: a module that ignores or mishandles `SIGTERM` must not
    /// survive its host, and an out-of-process module keeps nothing that needs a clean exit — its
    /// records live in the host's store.
    ///
    /// If `setpriv` cannot be found, or the host is not on Linux, every process is reported
    /// ``ProcessState/failed(_:)`` with ``SupervisorError/Code/orphanProtectionUnavailable``
    /// instead of being started unprotected.
    public static let parentDeathSignal = Self(.parentDeathSignal(signal: SIGKILL, setprivPath: nil))

    /// Children get `signal` when the host dies.
    /// - Parameters:
    ///   - signal: The signal, e.g. `SIGTERM` to let modules exit cleanly (at the risk that one
    ///     that ignores it outlives the host).
    ///   - setprivPath: Where `setpriv` is, or `nil` to look in `/usr/bin`, `/bin`, `/usr/sbin`,
    ///     `/sbin` and then the host's `PATH`.
    public static func parentDeathSignal(_ signal: Int32, setprivPath: String? = nil) -> Self {
        Self(.parentDeathSignal(signal: signal, setprivPath: setprivPath))
    }

    /// Children are started directly, unprotected: if the host is killed, they keep running.
    /// For platforms without parent-death signals, and for tests.
    public static let disabled = Self(.disabled)
}
