/// The methods of the module contract, shared by the host and modules so both sides agree on
/// names and types. See Protocol/module.proto.
public enum ModuleMethods {
    // Served by a module, called by the host.

    /// Who the module is.
    public static let describe = RPCMethod<ModuleDescribeRequest, ModuleDescriptor>("knock.module.Describe")
    /// Judge a visit.
    public static let assess = RPCMethod<ModuleAssessRequest, ModuleAssessResponse>("knock.module.Assess")
    /// Contribute to a day's plan.
    public static let plan = RPCMethod<ModulePlanRequest, ModulePlanResponse>("knock.module.Plan")
    /// React to an event.
    public static let handle = RPCMethod<ModuleEvent, ModuleHandleResponse>("knock.module.Handle")

    // Served by the host, called by a module.

    /// A module that dialed in registers its descriptor.
    public static let register = RPCMethod<ModuleRegisterRequest, ModuleRegisterResponse>("knock.host.RegisterModule")
    /// Store a record.
    public static let put = RPCMethod<ModulePutRequest, ModulePutResponse>("knock.store.Put")
    /// Read a record.
    public static let get = RPCMethod<ModuleGetRequest, ModuleGetResponse>("knock.store.Get")
    /// Find records by indexed fields.
    public static let query = RPCMethod<ModuleQueryRequest, ModuleQueryResponse>("knock.store.Query")
    /// Delete a record.
    public static let delete = RPCMethod<ModuleDeleteRequest, ModuleDeleteResponse>("knock.store.Delete")
    /// Apply several writes all together or not at all.
    public static let batch = RPCMethod<ModuleBatchRequest, ModuleBatchResponse>("knock.store.Batch")
}
