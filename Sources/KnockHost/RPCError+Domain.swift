import KnockDomain
import KnockModuleKit
import KnockStore

extension RPCError {
    /// The status a client sees for an error of the community core or its store: the rules'
    /// and the store's codes map onto gRPC-numbered statuses, messages pass through unchanged.
    init(community error: any Error) {
        switch error {
        case let error as RPCError:
            self = error
        case let error as DomainError:
            let code: StatusCode = switch error.code {
            case .invalidArgument: .invalidArgument
            case .notFound: .notFound
            case .invalidTransition: .failedPrecondition
            case .outOfScope: .permissionDenied
            case .alreadyExists: .alreadyExists
            default: .unknown
            }
            self.init(code: code, message: error.message)
        case let error as StoreError:
            let code: StatusCode = switch error.code {
            case .invalidArgument: .invalidArgument
            case .versionConflict: .aborted
            case .unavailable: .unavailable
            default: .internal
            }
            self.init(code: code, message: error.message)
        case is CancellationError:
            self.init(code: .cancelled, message: "the call was cancelled")
        default:
            self.init(code: .internal, message: "\(error)")
        }
    }
}

/// Runs a community call's work, turning the core's and the store's errors into statuses.
func translatingCommunityErrors<Result>(_ work: () async throws -> Result) async throws -> Result {
    do {
        return try await work()
    } catch {
        throw RPCError(community: error)
    }
}
