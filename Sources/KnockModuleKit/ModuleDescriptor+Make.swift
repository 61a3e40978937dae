extension ModuleDescriptor {
    /// A descriptor in one expression.
    /// - Parameters:
    ///   - id: The module's id and namespace (`daily-knock`).
    ///   - nameZh: Its Chinese name (`每天敲`).
    ///   - nameEn: Its English name.
    ///   - version: Its version.
    ///   - summary: One sentence on what it does.
    ///   - methods: Its own RPC methods (`RPCMethod.descriptor`), all named `<id>.<Method>`.
    ///   - events: Event kinds it wants (`tick`, `alert.raised`, …).
    ///   - permissions: The host's methods it asks to call (`needs.write`, …).
    ///   - assessesVisits: Whether it assesses visits.
    ///   - plansDays: Whether it plans days.
    public init(
        id: String, nameZh: String, nameEn: String, version: String = "1.0.0", summary: String,
        methods: [RPCMethodDescriptor] = [], events: [String] = [], permissions: [String] = [],
        assessesVisits: Bool = false, plansDays: Bool = false
    ) {
        self.init()
        self.id = id
        self.nameZh = nameZh
        self.nameEn = nameEn
        self.version = version
        self.summary = summary
        self.methods = methods.map(ModuleMethodInfo.init)
        self.events = events
        self.permissions = permissions
        self.assessesVisits = assessesVisits
        self.plansDays = plansDays
    }
}
