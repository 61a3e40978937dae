import Foundation
import KnockModuleKit
import SwiftProtobuf
import Testing

/// A module embeds the schemas of its own message types so generic clients can call it.
@Suite struct ModuleSchemasTests {
    /// A descriptor set with `canteen.v1.Order` and its nested `Order.Line`, as protoc writes it.
    static func canteenSchemas() throws -> Data {
        var line = Google_Protobuf_DescriptorProto()
        line.name = "Line"
        var order = Google_Protobuf_DescriptorProto()
        order.name = "Order"
        order.nestedType = [line]
        var file = Google_Protobuf_FileDescriptorProto()
        file.name = "canteen.proto"
        file.package = "canteen.v1"
        file.syntax = "proto3"
        file.messageType = [order]
        var set = Google_Protobuf_FileDescriptorSet()
        set.file = [file]
        return try set.serializedBytes()
    }

    static func descriptor(request: String, response: String) -> ModuleDescriptor {
        var descriptor = ModuleDescriptor()
        descriptor.id = "canteen"
        var method = ModuleMethodInfo()
        method.name = "canteen.PlaceOrder"
        method.requestType = request
        method.responseType = response
        descriptor.methods = [method]
        return descriptor
    }

    @Test func embedsASetCoveringEveryMethodType() throws {
        var descriptor = Self.descriptor(request: "canteen.v1.Order.Line", response: "knock.community.v1.Resident")
        let schemas = try Self.canteenSchemas()
        try descriptor.embedSchemas(base64: schemas.base64EncodedString())
        #expect(descriptor.fileDescriptorSet == schemas)
    }

    @Test func refusesATypeNobodyDescribes() throws {
        var descriptor = Self.descriptor(request: "canteen.v1.Menu", response: "canteen.v1.Order")
        let error = try #require(throws: RPCError.self) { try descriptor.embedSchemas(try Self.canteenSchemas()) }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("canteen.v1.Menu"))
        #expect(descriptor.fileDescriptorSet.isEmpty)
    }

    @Test func refusesBytesThatAreNotASet() {
        var descriptor = Self.descriptor(request: "canteen.v1.Order", response: "canteen.v1.Order")
        #expect(throws: RPCError.self) { try descriptor.embedSchemas(Data([0xFF, 0xFF, 0xFF])) }
        #expect(throws: RPCError.self) { try descriptor.embedSchemas(base64: "not base64!") }
    }
}
