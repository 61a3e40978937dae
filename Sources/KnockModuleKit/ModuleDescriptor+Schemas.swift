import Foundation
import SwiftProtobuf

extension ModuleDescriptor {
    /// Embeds the protobuf schemas of the module's own request and response types, so generic
    /// clients (`knock call --json`, integrators reading `knock.host.Describe`) can use its
    /// methods. Make the set with
    /// `protoc --include_imports --descriptor_set_out=schemas.pb your.proto`, ship its bytes
    /// with the module (a resource, or a base64 constant: `base64 -w0 schemas.pb`), and call this
    /// in `descriptor`.
    ///
    /// Types from Knock's own schemas (`knock.community.v1.Resident`, …) need not be in the set:
    /// the host knows them.
    /// - Parameter set: A serialized `google.protobuf.FileDescriptorSet`.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` if the bytes are not a descriptor set, or a
    ///   method's request or response type is in neither the set nor Knock's schemas (naming it).
    public mutating func embedSchemas(_ set: Data) throws {
        let parsed: Google_Protobuf_FileDescriptorSet
        do {
            parsed = try Google_Protobuf_FileDescriptorSet(serializedBytes: set)
        } catch {
            throw RPCError(code: .invalidArgument, message: "module \(id): the schemas are not a serialized FileDescriptorSet: \(error)")
        }
        let known = Self.messageNames(in: parsed).union(Self.knockMessageNames)
        for method in methods {
            for type in [method.requestType, method.responseType] where !known.contains(type) {
                throw RPCError(code: .invalidArgument, message: "module \(id): \(method.name) uses \(type), which is in neither the embedded schemas nor Knock's")
            }
        }
        fileDescriptorSet = set
    }

    /// ``embedSchemas(_:)`` from a base64 constant.
    /// - Parameter base64: The set, base64-encoded.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` for text that is not base64, and what
    ///   ``embedSchemas(_:)`` throws.
    public mutating func embedSchemas(base64: String) throws {
        guard let data = Data(base64Encoded: base64) else {
            throw RPCError(code: .invalidArgument, message: "module \(id): the schemas are not base64 text")
        }
        try embedSchemas(data)
    }

    /// Every message's full name (`package.Outer.Inner`) in `set`.
    static func messageNames(in set: Google_Protobuf_FileDescriptorSet) -> Set<String> {
        var names = Set<String>()
        func add(_ messages: [Google_Protobuf_DescriptorProto], prefix: String) {
            for message in messages {
                let name = prefix.isEmpty ? message.name : "\(prefix).\(message.name)"
                names.insert(name)
                add(message.nestedType, prefix: name)
            }
        }
        for file in set.file {
            add(file.messageType, prefix: file.package)
        }
        return names
    }

    /// The messages of Knock's own schemas, which every host knows.
    static let knockMessageNames: Set<String> = {
        guard let data = Data(base64Encoded: KnockDescriptorSet.base64),
              let set = try? Google_Protobuf_FileDescriptorSet(serializedBytes: data)
        else { return [] }
        return messageNames(in: set)
    }()
}
