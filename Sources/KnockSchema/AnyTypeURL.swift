/// The type URL of `google.protobuf.Any`: `type.googleapis.com/knock.wire.v1.ErrorInfo`.
enum AnyTypeURL {
    /// The prefix written before a type name when making a type URL.
    static let defaultPrefix = "type.googleapis.com/"

    /// The fully-qualified type name: everything after the last `/`.
    static func typeName(_ url: String) -> String {
        guard let slash = url.lastIndex(of: "/") else { return url }
        return String(url[url.index(after: slash)...])
    }
}
