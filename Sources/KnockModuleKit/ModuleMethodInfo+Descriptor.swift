extension ModuleMethodInfo {
    /// The descriptor entry of a method a module serves.
    /// - Parameter method: The method's descriptor (`RPCMethod.descriptor`).
    public init(_ method: RPCMethodDescriptor) {
        self.init()
        name = method.name
        serverStream = method.kind == .serverStream
        requestType = method.requestType
        responseType = method.responseType
    }
}
