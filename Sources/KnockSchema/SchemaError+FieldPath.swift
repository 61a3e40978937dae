extension SchemaError {
    /// One step of a field path.
    enum PathComponent {
        /// A field, by proto name.
        case field(String)
        /// An element of a list.
        case index(Int)
        /// An entry of a map, by key as JSON writes it.
        case key(String)
    }

    /// The error with a step put in front of its path, as it travels out of a nested value.
    func prefixed(with component: PathComponent) -> SchemaError {
        var copy = self
        let rest = fieldPath
        let joinsDirectly = rest.isEmpty || rest.hasPrefix("[")
        switch component {
        case .field(let name):
            copy.fieldPath = joinsDirectly ? name + rest : name + "." + rest
        case .index(let index):
            copy.fieldPath = "[\(index)]" + (joinsDirectly ? rest : "." + rest)
        case .key(let key):
            copy.fieldPath = "[\(JSONText.quoted(key))]" + (joinsDirectly ? rest : "." + rest)
        }
        return copy
    }
}

/// Runs `body`, putting `component` in front of the path of any ``SchemaError`` it throws.
func within<Result>(_ component: SchemaError.PathComponent, _ body: () throws -> Result) rethrows -> Result {
    do {
        return try body()
    } catch let error as SchemaError {
        throw error.prefixed(with: component)
    }
}
