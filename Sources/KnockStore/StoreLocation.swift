/// Where a Knock store lives: which engine, and where.
///
/// SQLite in a local file is the embedded default: nothing to install or start. PostgreSQL is for
/// deployments where several hosts share one store. The same code and the same schema run on both.
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite database in a local file, created if absent (its directory must exist). The file
    /// is put in write-ahead-log mode; `PATH-wal` and `PATH-shm` appear beside it while it is open
    /// and belong to it (copy or move all three together, or none while the store is open).
    case sqlite(path: String)

    /// A PostgreSQL database, by URL:
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (`postgresql://` also works).
    ///
    /// Query items:
    /// - `sslmode`: `disable`, `prefer` (the default: TLS when the server offers it), `require`
    ///   (TLS or fail; `verify-ca` and `verify-full` mean the same here: the server certificate is
    ///   verified against the system's trust roots and the host name).
    /// - `schema`: keep Knock's tables in this schema (created at start if absent; letters,
    ///   digits and `_`, at most 63) instead of the user's default, so one database can hold
    ///   several stores.
    case postgres(url: String)

    /// The location for logs and errors: a PostgreSQL URL without its password.
    public var description: String {
        switch self {
        case .sqlite(let path):
            return "sqlite:\(path)"
        case .postgres(let url):
            return PostgresURL.redacting(url)
        }
    }
}
