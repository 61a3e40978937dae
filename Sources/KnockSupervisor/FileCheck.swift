#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The file-system checks made before each start, so that a bad path is a clear error rather
/// than a child that fails to `exec` and is restarted again and again.
enum FileCheck {
    enum Problem: Error, Hashable {
        case notFound
        case notFoundOnPath
        case isDirectory
        case notExecutable

        func error(forProcess id: String, path: String) -> SupervisorError {
            switch self {
            case .notFound:
                return SupervisorError(code: .executableNotFound, message: "executable '\(path)' of '\(id)' does not exist")
            case .notFoundOnPath:
                return SupervisorError(code: .executableNotFound, message: "executable '\(path)' of '\(id)' was not found on PATH")
            case .isDirectory:
                return SupervisorError(code: .executableNotRunnable, message: "executable '\(path)' of '\(id)' is a directory")
            case .notExecutable:
                return SupervisorError(code: .executableNotRunnable, message: "executable '\(path)' of '\(id)' is not executable (permission denied)")
            }
        }
    }

    /// Finds the file `path` names, as `exec` would: a path with a `/` as it is (a relative one
    /// against `directory`, or the current directory), a bare name on `PATH`.
    static func resolveExecutable(_ path: String, relativeTo directory: String?) -> Result<String, Problem> {
        if path.contains("/") {
            let absolute: String
            if path.hasPrefix("/") {
                absolute = path
            } else {
                let base = directory.map { $0.hasPrefix("/") ? $0 : currentDirectory() + "/" + $0 } ?? currentDirectory()
                absolute = base + "/" + path
            }
            return check(absolute)
        }
        guard !path.isEmpty else {
            return .failure(.notFound)
        }
        let searchPath = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for entry in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let directory = entry.isEmpty ? currentDirectory() : String(entry)
            let candidate = directory + "/" + path
            if case .success(let found) = check(candidate) {
                return .success(found)
            }
        }
        return .failure(.notFoundOnPath)
    }

    static func isExecutableFile(_ path: String) -> Bool {
        if case .success = check(path) {
            return true
        }
        return false
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    private static func check(_ path: String) -> Result<String, Problem> {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return .failure(.notFound)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return .failure(.isDirectory)
        }
        guard access(path, X_OK) == 0 else {
            return .failure(.notExecutable)
        }
        return .success(path)
    }

    private static func currentDirectory() -> String {
        guard let buffer = getcwd(nil, 0) else {
            return "."
        }
        defer { free(buffer) }
        return String(cString: buffer)
    }
}
