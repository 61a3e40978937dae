import ArgumentParser
import Foundation
import KnockMessages
import KnockRPC
import KnockSchema
import NIOCore

/// `knock call <method> --json '{…}'`: calls any method of the host or its modules, turning
/// JSON into protobuf and back with the descriptors the host's Describe method serves.
struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Call any method with a JSON request (types come from the host's Describe method).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The method, e.g. knock.host.Health or elder-watch.Watch.") var method: String
    @Option(help: "The request as proto3 JSON.") var json = "{}"
    @Option(help: "Seconds before the call gives up.") var timeout: Double = 10

    func run() async throws {
        try await reporting {
            let connection = try await options.connect()
            defer { connection.close() }
            var request = HostDescribeRequest()
            request.prefix = ""
            let description = try await connection.call(RPCMethod<HostDescribeRequest, HostDescribeResponse>("knock.host.Describe"), request, options: CallOptions(timeout: .seconds(10)))
            guard let target = description.methods.first(where: { $0.name == method }) else {
                let service = method.split(separator: ".").dropLast().joined(separator: ".")
                let near = description.methods.map(\.name).filter { $0.hasPrefix(service + ".") }
                throw CLIError("the host has no method \(method)" + (near.isEmpty ? "" : "; it has \(near.joined(separator: ", "))"))
            }
            let pool: SchemaPool
            do {
                pool = try SchemaPool(fileDescriptorSetBytes: description.fileDescriptorSet)
            } catch {
                throw CLIError("the host's descriptors do not load: \(error)")
            }
            let codec = DynamicCodec(pool: pool, options: .init(prettyPrinted: options.output == .table))
            let requestType = target.requestType.hasPrefix(".") ? String(target.requestType.dropFirst()) : target.requestType
            let responseType = target.responseType.hasPrefix(".") ? String(target.responseType.dropFirst()) : target.responseType
            let bytes: [UInt8]
            do {
                bytes = try codec.binary(fromJSON: json, messageType: requestType)
            } catch let error as SchemaError {
                throw CLIError("the request is not a valid \(requestType): \(error)")
            }
            let callOptions = CallOptions(timeout: .milliseconds(Int(timeout * 1_000)))
            if target.serverStream {
                try await connection.streamRaw(method, ByteBuffer(bytes: bytes), options: callOptions) { responses in
                    for try await response in responses {
                        print(try codec.json(fromBinary: response.readableBytesView, messageType: responseType))
                    }
                }
            } else {
                let response = try await connection.callRaw(method, ByteBuffer(bytes: bytes), options: callOptions)
                print(try codec.json(fromBinary: response.readableBytesView, messageType: responseType))
            }
        }
    }
}
