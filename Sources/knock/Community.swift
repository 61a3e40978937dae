import Foundation
import KnockMessages
import KnockModuleKit
import KnockRPC
import SwiftProtobuf

extension ClientOptions {
    /// Connects, calls `method` once with a 30-second deadline, closes.
    func call<Request, Response>(_ method: RPCMethod<Request, Response>, _ request: Request, timeout: Duration = .seconds(30)) async throws -> Response {
        let connection = try await connect()
        defer { connection.close() }
        return try await connection.call(method, request, options: CallOptions(timeout: timeout))
    }

    /// Prints `message` as JSON when asked for, else runs `table`.
    func show(_ message: some SwiftProtobuf.Message, table: () -> Void) throws {
        if json {
            print(try message.jsonString())
        } else {
            table()
        }
    }
}

/// How the CLI writes the core's values.
enum Text {
    static func time(_ timestamp: Google_Protobuf_Timestamp?) -> String {
        guard let timestamp, timestamp.seconds != 0 || timestamp.nanos != 0 else { return "" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        formatter.timeZone = TimeZone.current
        return formatter.string(from: timestamp.date)
    }

    static func name(_ value: some SwiftProtobuf.Enum) -> String {
        // The protobuf name without its type prefix: NEED_STATUS_IN_PROGRESS → in-progress.
        let full = String(describing: value)
        var out = ""
        for character in full {
            if character.isUppercase, !out.isEmpty { out.append("-") }
            out.append(Character(character.lowercased()))
        }
        return out
    }

    static func urgency(_ urgency: CommunityUrgency) -> String { name(urgency) }
}

/// Reads the enumerations a user types.
enum Parse {
    static func channel(_ text: String) throws -> CommunityChannel {
        switch text.lowercased() {
        case "door", "上门": return .door
        case "online", "网上": return .online
        case "phone", "电话": return .phone
        default: throw CLIError("--channel must be door, online or phone, not \(text)")
        }
    }

    static func outcome(_ text: String) throws -> CommunityOutcome {
        switch text.lowercased() {
        case "met": return .met
        case "no-answer", "noanswer": return .noAnswer
        case "refused": return .refused
        case "note-left", "note": return .noteLeft
        default: throw CLIError("--outcome must be met, no-answer, refused or note-left, not \(text)")
        }
    }

    static func urgency(_ text: String) throws -> CommunityUrgency {
        switch text.lowercased() {
        case "low": return .low
        case "normal": return .normal
        case "high": return .high
        case "critical": return .critical
        default: throw CLIError("--urgency must be low, normal, high or critical, not \(text)")
        }
    }

    static func status(_ text: String) throws -> CommunityNeedStatus {
        switch text.lowercased() {
        case "open": return .open
        case "assigned": return .assigned
        case "in-progress": return .inProgress
        case "resolved": return .resolved
        case "followed-up": return .followedUp
        case "declined": return .declined
        default: throw CLIError("--status must be open, assigned, in-progress, resolved, followed-up or declined, not \(text)")
        }
    }

    static func time(_ text: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        throw CLIError("--at must be an ISO 8601 time such as 2026-11-29T09:30:00+08:00, not \(text)")
    }
}
