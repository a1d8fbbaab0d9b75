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
        // `Width` is `State` in the branch taken: the casts only restore the static type.
        if let model = self as? LivepatchModel<UInt64> {
            return try exploreSpecialised(model, options: options) as! SearchReport<State>
        }
        if let model = self as? LivepatchModel<PackedWords2> {
            return try exploreSpecialised(model, options: options) as! SearchReport<State>
        }
        if let model = self as? LivepatchModel<PackedWords4> {
            return try exploreSpecialised(model, options: options) as! SearchReport<State>
        }
        if let model = self as? LivepatchModel<PackedWords8> {
            return try exploreSpecialised(model, options: options) as! SearchReport<State>
        }
        if let model = self as? LivepatchModel<PackedWords16> {
            return try exploreSpecialised(model, options: options) as! SearchReport<State>
        }
        if let model = self as? LivepatchModel<PackedWords32> {
            return try exploreSpecialised(model, options: options) as! SearchReport<State>
        }
        return try Explorer.explore(self, options: options)
    }
}

/// The search over a model of one width; called with concrete widths only
/// (and outside any generic context, so that each call is specialised whole).
private func exploreSpecialised<Width: PackedState>(
    _ model: LivepatchModel<Width>, options: SearchOptions
) throws -> SearchReport<Width> {
    try Explorer.explore(model, options: options)
}
