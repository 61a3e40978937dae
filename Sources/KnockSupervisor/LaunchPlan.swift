#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Exactly what to execute for one start of a supervised process, after every path was checked.
struct LaunchPlan: Sendable, Hashable {
    /// The program handed to the operating system: `setpriv`, or the module itself.
    var executable: String
    /// The arguments after the program's name.
    var arguments: [String]
    /// The module's executable, resolved to a path that exists and can be run.
    var moduleExecutable: String

    /// The shell guard run between `setpriv` and the module; see ``OrphanProtection``.
    static let parentCheckScript = #"[ "$PPID" = "$1" ] || exit 125; shift; exec "$@""#

    /// Checks the process's paths and the orphan protection, and says how to launch it.
    /// - Parameters:
    ///   - process: The process to launch.
    ///   - protection: How to keep it from outliving the host.
    ///   - hostPID: The pid of this process, which the child checks is still its parent.
    static func make(
        for process: SupervisedProcess,
        protection: OrphanProtection,
        hostPID: Int32 = getpid()
    ) -> Result<LaunchPlan, SupervisorError> {
        if let directory = process.workingDirectory, !FileCheck.isDirectory(directory) {
            return .failure(
                SupervisorError(
                    code: .workingDirectoryNotFound,
                    message: "working directory '\(directory)' of '\(process.id)' does not exist or is not a directory"
                )
            )
        }
        let module: String
        switch FileCheck.resolveExecutable(process.executablePath, relativeTo: process.workingDirectory) {
        case .success(let path):
            module = path
        case .failure(let problem):
            return .failure(problem.error(forProcess: process.id, path: process.executablePath))
        }

        switch protection.mode {
        case .disabled:
            return .success(LaunchPlan(executable: module, arguments: process.arguments, moduleExecutable: module))
        case .parentDeathSignal(let signal, let setprivPath):
            #if os(Linux)
            let setpriv: String
            if let setprivPath {
                guard FileCheck.isExecutableFile(setprivPath) else {
                    return .failure(
                        SupervisorError(
                            code: .orphanProtectionUnavailable,
                            message: "setpriv is not at '\(setprivPath)'; it is needed to start '\(process.id)' with a parent-death signal"
                        )
                    )
                }
                setpriv = setprivPath
            } else {
                let candidates = ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv", "/sbin/setpriv"]
                guard
                    let found = candidates.first(where: FileCheck.isExecutableFile)
                        ?? (try? FileCheck.resolveExecutable("setpriv", relativeTo: nil).get())
                else {
                    return .failure(
                        SupervisorError(
                            code: .orphanProtectionUnavailable,
                            message: "setpriv (util-linux) was not found; it is needed to start '\(process.id)' with a parent-death signal (install util-linux, or choose OrphanProtection.disabled)"
                        )
                    )
                }
                setpriv = found
            }
            guard FileCheck.isExecutableFile("/bin/sh") else {
                return .failure(
                    SupervisorError(
                        code: .orphanProtectionUnavailable,
                        message: "/bin/sh was not found; it is needed to start '\(process.id)' with a parent-death signal"
                    )
                )
            }
            // setpriv takes the signal by name; the supervisor's init refused unnamed ones.
            let signalName = ExitReason.signalName(signal) ?? "SIGKILL"
            let arguments =
                ["--pdeathsig", signalName, "--", "/bin/sh", "-c", parentCheckScript, "knock-supervisor", String(hostPID), module]
                + process.arguments
            return .success(LaunchPlan(executable: setpriv, arguments: arguments, moduleExecutable: module))
            #else
            _ = (signal, setprivPath, hostPID)
            return .failure(
                SupervisorError(
                    code: .orphanProtectionUnavailable,
                    message: "parent-death signals exist on Linux only; '\(process.id)' was not started (choose OrphanProtection.disabled on this platform)"
                )
            )
            #endif
        }
    }
}
