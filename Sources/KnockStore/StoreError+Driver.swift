import PostgresNIO
import SQLiteNIO

extension StoreError {
    /// `error` as a store error: a ``StoreError`` unchanged, a driver's error classified by whether
    /// retrying later may help (``Code/unavailable``) or not (``Code/internal``).
    /// - Parameters:
    ///   - error: What the driver threw.
    ///   - action: What the store was doing, for the message (`put canteen/orders/o-1`).
    static func from(_ error: any Error, while action: String) -> StoreError {
        switch error {
        case let error as StoreError:
            return error
        case let error as PSQLError:
            return fromPostgres(error, while: action)
        case let error as SQLiteError:
            return fromSQLite(error, while: action)
        case is DecodingError, is PostgresDecodingError:
            return StoreError(code: .internal, message: "\(action): the database returned a value the store cannot read", cause: error)
        case is CancellationError:
            return StoreError(code: .unavailable, message: "\(action): cancelled", cause: error)
        default:
            // Connection pools and channels fail with their own error types; all of them mean
            // the database could not be reached just now.
            return StoreError(code: .unavailable, message: "\(action): the database cannot be reached: \(error)", cause: error)
        }
    }

    private static func fromPostgres(_ error: PSQLError, while action: String) -> StoreError {
        guard let serverInfo = error.serverInfo, let state = serverInfo[.sqlState] else {
            // Not an answer of the server: the connection failed, closed or never opened.
            return StoreError(code: .unavailable, message: "\(action): PostgreSQL cannot be reached (\(error.code))", cause: error)
        }
        let said = serverInfo[.message] ?? "no message"
        let message = "\(action): PostgreSQL says \(said) (SQLSTATE \(state))"
        switch state.prefix(2) {
        case "08", // connection exception
             "28", // invalid authorization
             "3D", // no such database
             "40", // serialization failure, deadlock: run the transaction again
             "53", // insufficient resources: disk full, too many connections
             "57": // operator intervention: shutdown, query canceled
            return StoreError(code: .unavailable, message: message, cause: error)
        default:
            return StoreError(code: .internal, message: message, cause: error)
        }
    }

    private static func fromSQLite(_ error: SQLiteError, while action: String) -> StoreError {
        let message = "\(action): SQLite says \(error.message) (\(error.reason))"
        switch error.reason {
        case .busy, .busyTimeout, .busyInRecovery, .busyInSnapshot, .locked, .cantOpen, .full,
             .readOnly, .noMemory, .interrupt, .ioError, .permission:
            return StoreError(code: .unavailable, message: message, cause: error)
        default:
            return StoreError(code: .internal, message: message, cause: error)
        }
    }

    /// Whether a PostgreSQL transaction that failed with `error` should simply run again: the
    /// server aborted it to resolve a deadlock or a serialization conflict, and wrote nothing.
    static func isTransientConflict(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }
}
