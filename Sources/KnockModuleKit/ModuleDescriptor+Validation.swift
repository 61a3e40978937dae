extension ModuleDescriptor {
    /// Checks what the host relies on: an id of 1 to 64 of `a-z 0-9 -` starting with a letter,
    /// both names, every method named `<id>.<Method>`, and at most
    /// ``maximumVisitRecords`` `visit_records`, each a collection name of 1 to 128 bytes.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` naming the first problem.
    public func validate() throws {
        guard Self.isValidID(id) else {
            throw RPCError(code: .invalidArgument, message: "module id \"\(id)\" must be 1 to 64 of a-z, 0-9 and '-', starting with a letter")
        }
        if nameZh.isEmpty || nameEn.isEmpty {
            throw RPCError(code: .invalidArgument, message: "module \(id) needs both a Chinese and an English name")
        }
        for method in methods where !method.name.hasPrefix(id + ".") || method.name.count <= id.count + 1 {
            throw RPCError(code: .invalidArgument, message: "module \(id) method \(method.name) must be named \(id).<Method>")
        }
        if visitRecords.count > Self.maximumVisitRecords {
            throw RPCError(code: .invalidArgument, message: "module \(id) asks for \(visitRecords.count) visit records; at most \(Self.maximumVisitRecords)")
        }
        for collection in visitRecords where collection.isEmpty || collection.utf8.count > 128 {
            throw RPCError(code: .invalidArgument, message: "module \(id) visit record collection \"\(collection)\" must be 1 to 128 bytes")
        }
    }

    /// The most collections a module's visits come with (`visit_records`).
    public static let maximumVisitRecords = 8

    /// Whether `id` can be a module id.
    /// - Parameter id: A candidate.
    public static func isValidID(_ id: String) -> Bool {
        guard let first = id.utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z"), id.utf8.count <= 64 else { return false }
        return id.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
    }
}
