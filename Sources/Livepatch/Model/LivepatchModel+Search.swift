import KLPEngine

extension LivepatchModel {
    /// Explores the model with the engine's search, specialised in this
    /// module for each state width the world may take.
    ///
    /// Callers reach the model through `CompiledWorld.withModel(_:)` with a
    /// state type chosen at run time, so their own specialisations of the
    /// search cannot see the model's code. Here, where that code is, the
    /// search is compiled once per state width with the model's successors
    /// inlined into its loop.
    public func explore(options: SearchOptions) throws -> SearchReport<State> {
        func explore<Width: PackedState>(_ model: LivepatchModel<Width>) throws -> SearchReport<State> {
            // `Width` is `State`, so the cast only restores the static type.
            try Explorer.explore(model, options: options) as! SearchReport<State>
        }
        if let model = self as? LivepatchModel<UInt64> { return try explore(model) }
        if let model = self as? LivepatchModel<PackedWords2> { return try explore(model) }
        if let model = self as? LivepatchModel<PackedWords4> { return try explore(model) }
        if let model = self as? LivepatchModel<PackedWords8> { return try explore(model) }
        return try Explorer.explore(self, options: options)
    }
}
