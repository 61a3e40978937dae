import CMimalloc
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The memory allocator of Knock's executables: mimalloc, in place of the C library's.
///
/// A visit recorded through the host makes a few hundred small allocations (protobuf messages,
/// SQLite rows and statements, tasks, buffers) across the event loops and the store's threads.
/// The C library's allocator spent about 9% of the host's CPU on them in `knock-bench ingest`,
/// mimalloc about 5%. Linking this target is what makes the switch: mimalloc's shared library
/// defines `malloc` and `free`, and the dynamic linker resolves every library's calls to them.
public enum ProcessAllocator {
    /// Which allocator serves `malloc` in this process, e.g. `mimalloc 2.0.9`, for the start-up
    /// log. Names the C library's allocator if mimalloc is linked but does not serve `malloc`
    /// (another library that defines `malloc` came first).
    public static var description: String {
        let version = Int(mi_version())
        let name = "mimalloc \(version / 100).\(version / 10 % 10).\(version % 10)"
        let probe = malloc(64)
        defer { free(probe) }
        return mi_is_in_heap_region(probe) ? name : "the C library's malloc (\(name) is linked but not in use)"
    }
}
